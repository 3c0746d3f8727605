import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: crashes, outages, garbage", .serialized)
struct RelayResilienceTests {
    static let agencies = (1...20).map { String(format: "000.00.%02d.H53", $0) }

    @Test("kill -9 in the middle of 5,000 documents, then a restart: every document delivered, none missing; only the uncommitted in-flight window comes again")
    func killAndRestart() async throws {
        let harness = try await RelayHarness(agencies: Self.agencies)
        let (records, expected) = try harness.documents(5000, seed: 9)
        let producer = try harness.producer()
        let reports = try await sendAll(records, with: producer, width: 500)
        await producer.close()
        let deliveries = expected.values.reduce(0) { $0 + $1.count }
        // Where each document waits in its sender's out topic.
        var source: [String: (partition: KafkaTopicPartition, offset: Int64)] = [:]
        for (record, report) in zip(records, reports) {
            source[String(decoding: record.key ?? [], as: UTF8.self)] =
                (KafkaTopicPartition(topic: report.topic, partition: report.partition), report.offset)
        }

        try await harness.startRelay()
        // Kill it once part of the work is done.
        let inboxes = Self.agencies.map(harness.topics.inbox)
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while try await inboxes.asyncSum({ try await harness.count($0) }) < Int64(deliveries / 4), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await harness.killRelay()
        let admin = try KafkaAdmin(settings: harness.cluster.settings, logger: testLogger)
        let committedAtKill = try await admin.committedOffsets(
            group: "docrelay-relay-national", topics: Self.agencies.map(harness.topics.out))
        let beforeRestart = try await inboxes.asyncSum { try await harness.count($0) }
        #expect(beforeRestart < Int64(deliveries * 2), "killed before the end")
        try await harness.startRelay()
        try await harness.waitUntilIdle()
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)

        let seen = try await harness.inboxDocuments()
        var missing = 0
        var twice = 0
        var committedYetTwice: [String] = []
        for (inbox, documents) in expected {
            for (id, value) in documents {
                guard let got = seen[inbox]?[id] else { missing += 1; continue }
                #expect(got.value == value)
                guard got.offsets.count > 1 else { continue }
                twice += 1
                if let (partition, offset) = source[id], offset < committedAtKill[partition] ?? 0 {
                    committedYetTwice.append(id)
                }
            }
        }
        let unexpected = seen.values.reduce(0) { $0 + $1.count } - deliveries
        print("kill -9 after \(beforeRestart) inbox records: \(deliveries) deliveries expected, \(missing) missing, \(twice) delivered twice, all of them past the offsets committed at the kill (the in-flight window): \(committedYetTwice.isEmpty)")
        #expect(missing == 0)
        // At most the in-flight window comes again: what was handed out and not yet committed.
        #expect(committedYetTwice.isEmpty, "delivered again though committed before the kill: \(committedYetTwice.prefix(10))")
        #expect(unexpected == 0, "no document where it was not addressed")
        #expect(try await harness.count(harness.topics.deadLetters) == 0)
    }

    @Test("The broker unavailable for 10 seconds mid-run: documents are retried and delivered, none dead-lettered")
    func brokerOutage() async throws {
        let agencies = Array(Self.agencies.prefix(5))
        let harness = try await RelayHarness(agencies: agencies, attemptTimeout: "60s")
        try await harness.startRelay()
        let (records, expected) = try harness.documents(600, seed: 10)
        let producer = try harness.producer()
        _ = try await sendAll(Array(records.prefix(300)), with: producer, width: 100)
        try await harness.waitUntilDocuments(in: agencies[0], reach: 1)
        await harness.cluster.takeBrokerDown(1)
        let outage = Task {
            try await Task.sleep(for: .seconds(10))
            await harness.cluster.bringBrokerUp(1)
        }
        _ = try await sendAll(Array(records.suffix(300)), with: producer, width: 100)  // completes after the outage
        try await outage.value
        await producer.close()
        try await harness.waitUntilIdle()
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        let seen = try await harness.inboxDocuments()
        for (inbox, documents) in expected {
            let difference = setDifference(seen[inbox]?.keys.map { $0 } ?? [], documents.keys)
            #expect(difference.isEmpty, "\(inbox): \(difference)")
        }
        #expect(try await harness.count(harness.topics.deadLetters) == 0)
    }

    @Test("Garbage produced by kcat to an out topic (no headers, random bytes, a 2 MiB value) is dead-lettered as malformed or oversize; nothing crashes")
    func garbage() async throws {
        let kcat = try #require(which("kcat"), "kcat is required")
        let agencies = Array(Self.agencies.prefix(2))
        let harness = try await RelayHarness(agencies: agencies)
        try await harness.startRelay()
        let topic = harness.topics.out(agencies[0])
        let bootstrap = harness.cluster.bootstrapServers
        let plain = try await run(kcat, ["-b", bootstrap, "-P", "-t", topic], input: Data("no headers at all\n".utf8))
        #expect(plain.exitCode == 0, "\(plain.standardError)")
        let randomFile = FileManager.default.temporaryDirectory.appendingPathComponent("random-\(UUID().uuidString)")
        try Data(pseudoRandomBytes(count: 5000, seed: 3)).write(to: randomFile)
        let random = try await run(kcat, ["-b", bootstrap, "-P", "-t", topic, "-H", "dr-id=random-bytes", "-H", "dr-kind=edoc", randomFile.path])
        #expect(random.exitCode == 0, "\(random.standardError)")
        let bigFile = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString)")
        try Data(repeating: 0x41, count: 2 * 1_048_576).write(to: bigFile)
        let big = try await run(kcat, ["-b", bootstrap, "-P", "-t", topic, "-X", "message.max.bytes=4000000", "-H", "dr-id=two-mebibytes", bigFile.path])
        #expect(big.exitCode == 0, "\(big.standardError)")
        defer {
            try? FileManager.default.removeItem(at: randomFile)
            try? FileManager.default.removeItem(at: bigFile)
        }
        // And a good document after them, delivered.
        let producer = try harness.producer()
        try await producer.send(try harness.document(Array("still fine".utf8), from: agencies[0], to: [agencies[1]], id: "after-garbage"))
        await producer.close()

        try await harness.waitUntil(harness.topics.deadLetters, holds: 3)
        try await harness.waitUntilDocuments(in: agencies[1], reach: 1)
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0, "the relay kept running and stopped cleanly")
        let letters = try await harness.read([harness.topics.deadLetters], count: 3)
        let byKey = Dictionary(letters.map { ($0.stringKey, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(letters.count == 3)
        #expect(letters.allSatisfy { ["malformed", "oversize"].contains($0.header(HeaderName.errorClass) ?? "") })
        let oversized = try #require(byKey["two-mebibytes"])
        #expect(oversized.header(HeaderName.errorClass) == "oversize")
        #expect(oversized.value.count == 65_536, "truncated in the dead-letter topic")
        #expect(oversized.header(HeaderName.valueSize) == "2097152")
        #expect(oversized.header(HeaderName.valueSHA256)?.count == 64)
        #expect(byKey["random-bytes"]?.header(HeaderName.errorClass) == "malformed")
    }
}

extension RelayHarness {
    /// Waits until the relay has committed everything of every `out` topic and retry topic.
    func waitUntilIdle(within limit: Duration = .seconds(240)) async throws {
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            var lag: Int64 = 0
            for code in agencies {
                lag += try await admin.lag(group: "docrelay-relay-national", topic: topics.out(code)).values.reduce(0, +)
            }
            for tier in tiers {
                lag += try await admin.lag(group: "docrelay-relay-national-retry", topic: "docrelay.retry.\(tier)").values.reduce(0, +)
            }
            if lag == 0 { return }
            guard ContinuousClock.now < deadline else { throw HarnessError("the relay still has \(lag) records to commit after \(limit)") }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Waits until the inbox of `code` holds at least `count` distinct documents (acks aside).
    func waitUntilDocuments(in code: String, reach count: Int, within limit: Duration = .seconds(180)) async throws {
        guard count > 0 else { return }
        let deadline = ContinuousClock.now.advanced(by: limit)
        while try await self.count(topics.inbox(code)) < Int64(count) {
            guard ContinuousClock.now < deadline else { throw HarnessError("\(code): fewer than \(count) records after \(limit)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

extension Array {
    func asyncSum(_ value: (Element) async throws -> Int64) async rethrows -> Int64 {
        var total: Int64 = 0
        for element in self { total += try await value(element) }
        return total
    }
}
