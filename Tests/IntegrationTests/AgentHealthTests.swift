import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The agent's `/healthz` tells the truth (docs/operations.md, "/healthz of the agent").
@Suite("docrelay agent: /healthz tells the truth", .serialized)
struct AgentHealthTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"

    @Test("The broker down: the agent's /healthz 503 'Kafka unreachable' within the threshold, 'no record processed' once a spool file waits, 200 again once it is back and the file sent")
    func brokerDownTurnsUnhealthy() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        let agent = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        try setAPI(of: agent, "broker-unreachable-after: 2s, stall-after: 3s")
        try await agent.start()
        let clock = ContinuousClock()
        let healthy = try await poll(agent, until: { $0.status == 200 }, within: .seconds(30))
        #expect(healthy.status == 200, "\(healthy.body)")

        await harness.cluster.takeBrokerDown(1)
        let down = clock.now
        let unhealthy = try await poll(agent, until: { $0.status == 503 }, within: .seconds(30))
        let turned = clock.now - down
        print("agent, broker down: /healthz 503 after \(turned) (threshold 2 s, probe every 1 s): \(unhealthy.body)")
        #expect(unhealthy.status == 503)
        #expect(unhealthy.body.contains("Kafka unreachable"), "\(unhealthy.body)")
        #expect(unhealthy.body.contains("\"unhealthy\""), "\(unhealthy.body)")
        #expect(turned < .seconds(25), "the threshold is 2 s; a loaded machine adds to it")

        // A spool file that cannot be sent: records wait, none progresses.
        try agent.drop("cho-gui.txt", Array("Chờ gửi".utf8), sidecar: #"{"to": ["\#(Self.b)"], "id": "cho-gui-1"}"#)
        let droppedAt = clock.now
        let stalled = try await poll(agent, until: { $0.body.contains("no record processed") }, within: .seconds(30))
        let stalledAfter = clock.now - droppedAt
        print("agent, a spool file waiting with the broker down: 'no record processed' after \(stalledAfter) (stall-after 3 s): \(stalled.body)")
        #expect(stalled.body.contains("no record processed"), "\(stalled.body)")
        #expect(stalledAfter >= .seconds(3), "an idle agent's no-progress clock starts when work arrives")

        await harness.cluster.bringBrokerUp(1)
        let up = clock.now
        let again = try await poll(agent, until: { $0.status == 200 }, within: .seconds(30))
        print("agent, broker back: /healthz 200 after \(clock.now - up)")
        #expect(again.status == 200, "\(again.body)")
        #expect(agent.names(in: agent.sent).contains("cho-gui.txt"))
        let stopped = try await agent.stop()
        #expect(stopped?.exitCode == 0)
    }

    @Test("A fatal producer error (OUT_OF_ORDER_SEQUENCE_NUMBER): the agent says so and exits 1, instead of retrying forever")
    func fatalProducerErrorExits() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        let agent = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        try await agent.start(logLevel: "notice")
        let child = try #require(agent.child)
        harness.cluster.pushRequestErrors(apiKey: 0, [.outOfOrderSequenceNumber])  // Produce
        let clock = ContinuousClock()
        let dropped = clock.now
        try agent.drop("van-ban.txt", Array("Văn bản".utf8), sidecar: #"{"to": ["\#(Self.b)"], "id": "fatal-1"}"#)
        let result = try await child.wait(upTo: .seconds(60))
        let exitedAfter = clock.now - dropped
        print("agent, fatal producer error: exit \(result.exitCode) \(exitedAfter) after the spool file was dropped")
        #expect(result.exitCode == 1, "\(result.standardError.suffix(2000))")
        // Retrying would fail the record only at the producer's 120 s message timeout, and the agent
        // would then go on; an exit well before that came from the fatal error. Not a speed bound:
        // under a loaded CI machine the start and group join alone took 11 s once.
        #expect(exitedAfter < .seconds(60))
        #expect(result.standardError.contains("fatal Kafka producer error"), "\(result.standardError.suffix(2000))")
        #expect(result.standardError.contains("The agent halts"), "\(result.standardError.suffix(2000))")
        #expect(agent.names(in: agent.outbox).contains("van-ban.txt"), "the document stays in outbox/ for the next run")
    }

    /// Adds keys to the agent's `api:` section.
    private func setAPI(of agent: AgentProcess, _ keys: String) throws {
        let original = try String(contentsOfFile: agent.configPath, encoding: .utf8)
        let config = original.replacingOccurrences(
                of: "  listen: 127.0.0.1:0\n",
                with: "  listen: 127.0.0.1:0\n" + keys.split(separator: ", ").map { "  \($0)\n" }.joined())
        guard config != original else { throw HarnessError("no api.listen line in \(agent.configPath) to add \(keys) to") }
        try Data(config.utf8).write(to: URL(fileURLWithPath: agent.configPath))
    }

    private func poll(
        _ agent: AgentProcess, until done: ((status: Int, body: String)) -> Bool, within limit: Duration
    ) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now.advanced(by: limit)
        var last: (status: Int, body: String) = (0, "")
        while ContinuousClock.now < deadline {
            if let answer = try? await agent.request("GET", "/healthz") {
                last = (answer.status, String(decoding: answer.body, as: UTF8.self))
                if done(last) { return last }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }
}
