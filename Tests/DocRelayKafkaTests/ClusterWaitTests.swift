@testable import DocRelayKafka
import Testing

/// `ClusterWait`: what `docrelay provision --wait-for-cluster` does while a cluster starts.
@Suite("ClusterWait: retrying while a cluster starts, bounded")
struct ClusterWaitTests {
    /// Counts the attempts of an operation that fails with `errors`, in order, then succeeds.
    final class Script: @unchecked Sendable {
        var errors: [KafkaError]
        var attempts = 0
        init(_ errors: [KafkaError]) { self.errors = errors }
        func attempt() throws -> String {
            attempts += 1
            if !errors.isEmpty { throw errors.removeFirst() }
            return "done"
        }
    }

    static let unreachable = KafkaError(code: .allBrokersDown, message: "1/1 brokers are down")
    static let tooFewBrokers = KafkaError(code: .invalidReplicationFactor, message: "Replication factor: 3 larger than available brokers: 1.")
    static let denied = KafkaError(code: .topicAuthorizationFailed, message: "Topic authorization failed")

    @Test("A cluster unreachable, then with too few brokers, then ready: the operation succeeds on the third attempt, after each failure is reported")
    func readyAfterStarting() async throws {
        let script = Script([Self.unreachable, Self.tooFewBrokers])
        var reported: [KafkaError.Code] = []
        let wait = ClusterWait(limit: .seconds(5), firstPause: .milliseconds(10), maximumPause: .milliseconds(20))
        let value = try await wait.run(retrying: { error, _ in reported.append(error.code) }) { try script.attempt() }
        #expect(value == "done")
        #expect(script.attempts == 3)
        #expect(reported == [.allBrokersDown, .invalidReplicationFactor])
    }

    @Test("A refusal waiting cannot cure (authorisation) ends the wait at once, rethrown as it is")
    func permanentRefusal() async throws {
        let script = Script([Self.unreachable, Self.denied, Self.unreachable])
        let wait = ClusterWait(limit: .seconds(5), firstPause: .milliseconds(10))
        let error = await #expect(throws: KafkaError.self) { try await wait.run { try script.attempt() } }
        #expect(error?.code == .topicAuthorizationFailed)
        #expect(script.attempts == 2)
    }

    @Test("A cluster that never gets ready: NotReady after the limit, naming the attempts and the last error; the wait is bounded")
    func bounded() async throws {
        let script = Script(Array(repeating: Self.tooFewBrokers, count: 1000))
        let wait = ClusterWait(limit: .milliseconds(300), firstPause: .milliseconds(20), maximumPause: .milliseconds(40))
        let start = ContinuousClock.now
        let error = await #expect(throws: ClusterWait.NotReady.self) { try await wait.run { try script.attempt() } }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3), "\(elapsed)")
        #expect(error?.attempts == script.attempts && script.attempts >= 3, "\(script.attempts)")
        #expect(error?.lastError.code == .invalidReplicationFactor)
        #expect(error?.description.contains("not ready after \(script.attempts) attempts") == true)
    }

    @Test("Without a limit the operation runs once and its error is rethrown unchanged")
    func once() async throws {
        let script = Script([Self.unreachable])
        let error = await #expect(throws: KafkaError.self) { try await ClusterWait().run { try script.attempt() } }
        #expect(error?.code == .allBrokersDown)
        #expect(script.attempts == 1)
    }
}
