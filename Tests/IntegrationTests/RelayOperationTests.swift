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
        try await harness.startRelay(logLevel: "notice")
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

    /// Issue 10, point 6: an agency whose system is off lost its inbox silently once Kafka's
    /// retention passed. Three inboxes on the wire: G22 read everything; H58 holds a document
    /// delivered 25 days ago and never read (retention 30d, warn at 80%); G17's agent committed
    /// offset 1, then the log moved past it (the embedded cluster keeps 5 MiB per partition, as
    /// retention would delete): records deleted unread.
    @Test("An inbox whose oldest unread record nears its retention, or lost records unread: a gauge, a warning naming the agency, /healthz degraded")
    func inboxRetentionWarning() async throws {
        let (g22, h58, g17) = ("000.00.00.G22", "000.00.00.H58", "000.00.00.G17")
        let harness = try await RelayHarness(
            agencies: [g22, h58, g17], adminListen: "127.0.0.1:0",
            extraConfiguration: "retention: { inbox: 30d, warn-at: 80%, check-interval: 1s }\n")
        let day: Int64 = 86_400_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let producer = try harness.producer()
        for code in [g22, h58, g17] {
            _ = try await producer.send(KafkaProducerRecord(
                topic: harness.topics.inbox(code), partition: 0, key: Array("old-\(code)".utf8), value: Array("delivered 25 days ago".utf8),
                timestampMilliseconds: now - 25 * day))
        }
        // The agents of G22 and G17 read their record and commit.
        for code in [g22, g17] {
            let agent = try KafkaConsumer(settings: .test(harness.cluster, group: ConsumerGroupNames.agent(code)), logger: testLogger)
            try agent.subscribe(topics: [harness.topics.inbox(code)])
            _ = try await agent.take(1)
            _ = try await agent.commit()
            await agent.close()
        }
        // Then G17's partition 0 takes 6 MiB of records: the log's start moves past what its agent read.
        let filler = [UInt8](repeating: 7, count: 200_000)
        _ = try await sendAll((0..<32).map { _ in
            KafkaProducerRecord(topic: harness.topics.inbox(g17), partition: 0, key: nil, value: filler)
        }, with: producer, width: 4)
        await producer.close()
        let admin = try KafkaAdmin(settings: harness.cluster.settings, logger: testLogger)
        let g17Log = try await admin.partitionOffsets(topic: harness.topics.inbox(g17))[0]
        print("G17 inbox partition 0: log \(g17Log.low)..<\(g17Log.high), its agent committed 1")
        try #require(g17Log.low > 1, "the embedded cluster dropped the oldest records")

        try await harness.startRelay(logLevel: "notice")
        let address = try await #require(harness.relay).adminAddress()
        var health = try await fetch("http://\(address)/healthz")
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while !(health.body.contains(h58) && health.body.contains(g17)), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            health = try await fetch("http://\(address)/healthz")
        }
        print("/healthz \(health.status): \(health.body)")
        #expect(health.status == 200, "degraded is not down: a liveness probe must not restart the relay")
        let body = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
        #expect(body?["status"] as? String == "degraded")
        let warnings = body?["warnings"] as? [String] ?? []
        #expect(warnings.contains("inbox of \(h58): oldest unread record 25d old, retention 30d"), "\(warnings)")
        #expect(warnings.contains("inbox of \(g17): \(g17Log.low - 1) records deleted by retention (30d) before the agency read them"), "\(warnings)")
        #expect(!warnings.contains { $0.contains(g22) }, "G22 read everything")

        let metrics = try await fetch("http://\(address)/metrics").body
        let near = gauge("docrelay_inboxes_near_retention", in: metrics)
        let deleted = gauge("docrelay_inboxes_deleted_unread", in: metrics)
        let oldest = gauge("docrelay_inbox_oldest_unread_age_seconds", in: metrics)
        print("metrics: inboxes near retention \(near ?? -1), inboxes deleted unread \(deleted ?? -1), oldest unread \((oldest ?? 0) / 86_400) days")
        #expect(near == 1)
        #expect(deleted == 1)
        #expect(oldest.map { abs($0 - 25 * 86_400) < 3600 } == true, "the oldest unread record is H58's, 25 days old")
        let relay = try #require(harness.relay)
        let warningLine = relay.standardError.split(separator: "\n").first { $0.contains("Inbox unread records near their retention") }
        print("log: \(warningLine ?? "none")")
        #expect(warningLine?.contains("docrelay.agency=\(h58)") == true)
        #expect(relay.standardError.contains("Inbox records deleted by retention before the agency read them"))

        // H58's agent comes back and reads: the warning about it goes, G17's loss stays.
        let agent = try KafkaConsumer(settings: .test(harness.cluster, group: ConsumerGroupNames.agent(h58)), logger: testLogger)
        try agent.subscribe(topics: [harness.topics.inbox(h58)])
        _ = try await agent.take(1)
        _ = try await agent.commit()
        await agent.close()
        let recovered = ContinuousClock.now.advanced(by: .seconds(30))
        while health.body.contains(h58), ContinuousClock.now < recovered {
            try await Task.sleep(for: .milliseconds(500))
            health = try await fetch("http://\(address)/healthz")
        }
        print("/healthz after H58 read its inbox: \(health.body)")
        #expect(!health.body.contains(h58))
        #expect(health.body.contains(#""status":"degraded""#) && health.body.contains(g17))
        #expect(gauge("docrelay_inboxes_near_retention", in: try await fetch("http://\(address)/metrics").body) == 0)
        #expect(try #require(harness.relay).standardError.contains("Inbox no longer near its retention"))
        _ = try await harness.stopRelay()
    }

    /// The value of an unlabelled gauge in Prometheus text.
    private func gauge(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    private func fetch(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
