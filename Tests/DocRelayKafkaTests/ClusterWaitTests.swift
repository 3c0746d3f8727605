@testable import DocRelayKafka
import Foundation
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

    /// Time that passes only when the wait sleeps: the tests do not depend on the machine's load.
    final class VirtualTime: @unchecked Sendable {
        private let lock = NSLock()
        private var elapsed: Duration = .zero
        var now: Duration { lock.withLock { elapsed } }
        func advance(_ duration: Duration) { lock.withLock { elapsed += duration } }

        func wait(_ limit: Duration, firstPause: Duration, maximumPause: Duration) -> ClusterWait {
            var wait = ClusterWait(limit: limit, firstPause: firstPause, maximumPause: maximumPause)
            wait.now = { self.now }
            wait.sleep = { self.advance($0) }
            return wait
        }
    }

    static let unreachable = KafkaError(code: .allBrokersDown, message: "1/1 brokers are down")
    static let tooFewBrokers = KafkaError(code: .invalidReplicationFactor, message: "Replication factor: 3 larger than available brokers: 1.")
    static let denied = KafkaError(code: .topicAuthorizationFailed, message: "Topic authorization failed")

    @Test("A cluster unreachable, then with too few brokers, then ready: the operation succeeds on the third attempt, after each failure is reported")
    func readyAfterStarting() async throws {
        let script = Script([Self.unreachable, Self.tooFewBrokers])
        var reported: [KafkaError.Code] = []
        var pauses: [Duration] = []
        let time = VirtualTime()
        let wait = time.wait(.seconds(5), firstPause: .milliseconds(10), maximumPause: .milliseconds(15))
        let value = try await wait.run(retrying: { error, pause in reported.append(error.code); pauses.append(pause) }) { try script.attempt() }
        #expect(value == "done")
        #expect(script.attempts == 3)
        #expect(reported == [.allBrokersDown, .invalidReplicationFactor])
        #expect(pauses == [.milliseconds(10), .milliseconds(15)], "doubling, up to the maximum")
        #expect(time.now == .milliseconds(25))
    }

    @Test("A refusal waiting cannot cure (authorisation) ends the wait at once, rethrown as it is")
    func permanentRefusal() async throws {
        let script = Script([Self.unreachable, Self.denied, Self.unreachable])
        let wait = VirtualTime().wait(.seconds(5), firstPause: .milliseconds(10), maximumPause: .seconds(1))
        let error = await #expect(throws: KafkaError.self) { try await wait.run { try script.attempt() } }
        #expect(error?.code == .topicAuthorizationFailed)
        #expect(script.attempts == 2)
    }

    @Test("A cluster that never gets ready: NotReady after the limit, naming the attempts and the last error; the wait is bounded")
    func bounded() async throws {
        let script = Script(Array(repeating: Self.tooFewBrokers, count: 1000))
        let time = VirtualTime()
        let wait = time.wait(.milliseconds(300), firstPause: .milliseconds(20), maximumPause: .milliseconds(40))
        let error = await #expect(throws: ClusterWait.NotReady.self) { try await wait.run { try script.attempt() } }
        // Pauses 20, 40, 40, 40, 40, 40, 40, then the 40 left: nine attempts, the last at the limit.
        #expect(time.now == .milliseconds(300))
        #expect(script.attempts == 9 && error?.attempts == 9, "\(script.attempts)")
        #expect(error?.waited == .milliseconds(300))
        #expect(error?.lastError.code == .invalidReplicationFactor)
        #expect(error?.description.contains("not ready after 9 attempts") == true)
    }

    @Test("Without a limit the operation runs once and its error is rethrown unchanged")
    func once() async throws {
        let script = Script([Self.unreachable])
        let error = await #expect(throws: KafkaError.self) { try await ClusterWait().run { try script.attempt() } }
        #expect(error?.code == .allBrokersDown)
        #expect(script.attempts == 1)
    }
}
