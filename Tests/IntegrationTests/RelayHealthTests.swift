import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("docrelay relay: /healthz tells the truth", .serialized)
struct RelayHealthTests {
    @Test("The broker down: /healthz 503 'Kafka unreachable' within the threshold, 200 again once it is back")
    func brokerDownTurnsUnhealthy() async throws {
        let agencies = ["000.00.00.G22", "000.00.00.H58"]
        let harness = try await RelayHarness(
            agencies: agencies, adminListen: "127.0.0.1:0",
            extraConfiguration: "")
        // Thresholds short for the test (hub.yaml admin: section).
        let config = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            .replacingOccurrences(of: "admin:\n", with: "admin:\n  broker-unreachable-after: 3s\n")
        try Data(config.utf8).write(to: URL(fileURLWithPath: harness.configPath))
        try await harness.startRelay(logLevel: "notice")
        let relay = try #require(harness.relay)
        let address = try await relay.adminAddress()
        let clock = ContinuousClock()
        let healthy = try await poll(address, until: { $0.status == 200 }, within: .seconds(30))
        #expect(healthy.status == 200, "\(healthy.body)")

        await harness.cluster.takeBrokerDown(1)
        let down = clock.now
        let unhealthy = try await poll(address, until: { $0.status == 503 }, within: .seconds(30))
        let turned = clock.now - down
        print("broker down: /healthz 503 after \(turned): \(unhealthy.body)")
        #expect(unhealthy.status == 503)
        #expect(unhealthy.body.contains("Kafka unreachable"), "\(unhealthy.body)")
        #expect(turned < .seconds(25), "the threshold is 2 s; a loaded machine adds to it")

        await harness.cluster.bringBrokerUp(1)
        let up = clock.now
        let again = try await poll(address, until: { $0.status == 200 }, within: .seconds(30))
        print("broker back: /healthz 200 after \(clock.now - up)")
        #expect(again.status == 200, "\(again.body)")
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
    }

    private func poll(
        _ address: String, until done: ((status: Int, body: String)) -> Bool, within limit: Duration
    ) async throws -> (status: Int, body: String) {
        let deadline = ContinuousClock.now.advanced(by: limit)
        var last: (status: Int, body: String) = (0, "")
        while ContinuousClock.now < deadline {
            if let answer = try? await fetch("http://\(address)/healthz") {
                last = answer
                if done(answer) { return answer }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    private func fetch(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
