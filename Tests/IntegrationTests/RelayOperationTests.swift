import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("docrelay relay: admin port, graceful shutdown", .serialized)
struct RelayOperationTests {
    @Test("/metrics counts deliveries, acks and dead letters by class; /healthz says running; SIGTERM exits 0")
    func metricsAndHealth() async throws {
        let agencies = ["000.00.00.G22", "000.00.00.H58"]
        let harness = try await RelayHarness(agencies: agencies, adminListen: "127.0.0.1:0")
        try harness.startRelay(logLevel: "notice")
        let producer = try harness.producer()
        for index in 0..<5 {
            try await producer.send(try harness.document(Array("doc \(index)".utf8), from: agencies[0], to: [agencies[1]], id: "m-\(index)"))
        }
        var tampered = try harness.document(Array("original".utf8), from: agencies[0], to: [agencies[1]], id: "m-tampered")
        tampered.value = Array("changed".utf8)
        try await producer.send(tampered)
        await producer.close()
        try await harness.waitUntilIdle()

        let relay = try #require(harness.relay)
        let address = try #require(relay.standardError.split(separator: "\n")
            .first { $0.contains("Admin server listening") }
            .flatMap { line in line.split(separator: " ").first { $0.hasPrefix("docrelay.admin.address=") } }
            .map { String($0.dropFirst("docrelay.admin.address=".count)) }, "the relay logs where its admin port listens")
        let metrics = try await fetch("http://\(address)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"docrelay_records_total{outcome="delivered"} 5"#), "\(metrics.body)")
        // Five delivered acks, and a negative one: the altered document's sender is authentic.
        #expect(metrics.body.contains(#"docrelay_records_total{outcome="acked"} 6"#))
        #expect(metrics.body.contains(#"docrelay_records_total{outcome="dead_lettered"} 1"#))
        #expect(metrics.body.contains(#"docrelay_dead_letters_total{class="signature"} 1"#))
        #expect(metrics.body.contains("docrelay_end_to_end_latency_seconds_bucket"))
        let health = try await fetch("http://\(address)/healthz")
        #expect(health.status == 200)
        #expect(health.body.contains(#""phase":"running""#))

        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        #expect(stopped?.standardError.contains("Relay stopped") == true)
    }

    private func fetch(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
