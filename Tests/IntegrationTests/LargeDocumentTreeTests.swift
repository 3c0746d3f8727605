import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 13 across the hub tree: a 12 MiB document from a commune of Tiền Giang (hub h58)
/// through the national hub to an agency of Tây Ninh (hub h53) and one at the national hub,
/// with 100 small documents passing meanwhile. Three real relays on three embedded clusters.
///
/// The embedded broker keeps about 5 MiB per partition and drops older data silently, and a
/// document's segments share one partition of every topic on its way: so the sender keeps at
/// most 4 segments (2 MiB) ahead of what both recipients' inboxes hold (as an agent's
/// `send.segment-pace` would pace it), and each recipient's inbox is read while the document
/// passes, its segments hashed as they come (the inbox itself keeps only its last 5 MiB).
@Suite("Large documents across three hubs: 12 MiB, byte for byte, in bounded memory, small ones not held up", .serialized)
struct LargeDocumentTreeTests {
    static let commune = "000.07.12.H58"
    static let tayNinh = "000.21.32.H53"
    static let g22 = "000.00.00.G22"
    static let district = "000.00.12.H58"
    static let h53District = "000.00.32.H53"
    static let size = 12 * 1_048_576

    /// A reader of one inbox that assembles the large document as its segments come (starting
    /// over at index 0) and notes when each small document arrives.
    final class InboxReader: Sendable {
        struct State {
            var hash = SHA256Stream()
            var bytes = 0
            var segments = 0
            var complete: (sha256: String, bytes: Int)?
            var aborted = false
            var highestIndex = -1
            var small: [String: Date] = [:]
        }
        let state = Mutex(State())

        func take(_ record: KafkaRecord, largeID: String) {
            state.withLock { state in
                guard record.stringKey == largeID else {
                    if record.header(HeaderName.kind) == "edoc" { state.small[record.stringKey] = Date() }
                    return
                }
                guard let mark = record.header(HeaderName.segment) else { return }
                if mark.hasPrefix("abort/") { state.aborted = true; return }
                let parts = mark.split(separator: "/").compactMap { Int($0) }
                state.segments += 1
                state.highestIndex = max(state.highestIndex, parts[0])
                if parts[0] == 0 { state.hash = SHA256Stream(); state.bytes = 0 }
                state.hash.update(record.value)
                state.bytes += record.value.count
                if parts[0] + 1 == parts[1] { state.complete = (state.hash.finishHex(), state.bytes) }
            }
        }

        var segmentsHeld: Int { state.withLock { $0.highestIndex + 1 } }
    }

    /// When each small document was sent.
    final class SentTimes: Sendable {
        let times = Mutex<[String: Date]>([:])
    }

    static func rss(_ pid: Int32) -> (resident: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    @Test("Byte-identical at h53 and at the national hub; two delivered acks; trace shows every hub; each relay's peak RSS within 64 MiB of its idle figure; 100 small documents delivered meanwhile")
    func acrossTheTree() async throws {
        let tree = try await TreeHarness()
        try await tree.startRelays()
        // The relays' groups joined once a small document crossed the tree.
        try await tree.send(Array("warm-up".utf8), from: Self.district, to: [Self.h53District, Self.g22], id: "warm-up")
        _ = try await tree.inbox(Self.h53District, atLeast: 1)
        _ = try await tree.inbox(Self.g22, atLeast: 1)
        var idle: [String: Int] = [:]
        for (hub, relay) in tree.relays { idle[hub] = Self.rss(relay.processIdentifier).resident }

        var random = SeededGenerator(seed: 13)
        let value = random.bytes(Self.size)
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(id: "cong-van-12mb", from: Self.commune, to: [Self.tayNinh, Self.g22], contentType: "application/pdf"),
            identity: try tree.identity(Self.commune))
        let records = DocumentRecords(signed: signed, size: value.count, segmentation: DocumentSegmentation())

        // Readers of both recipients' inboxes, and of the small documents' recipient, from now.
        let readers = [Self.tayNinh: InboxReader(), Self.g22: InboxReader(), Self.h53District: InboxReader()]
        var pairs: [(consumer: KafkaConsumer, reader: InboxReader)] = []
        for (code, reader) in readers {
            let consumer = try KafkaConsumer(settings: .test(tree.cluster(of: code), group: uniqueName("large-reader")), logger: testLogger)
            try consumer.subscribe(topics: [tree.topics.inbox(code)])
            pairs.append((consumer, reader))
        }
        let consumers = pairs.map(\.consumer)
        let readerList = pairs.map(\.reader)
        let reading = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (consumer, reader) in zip(consumers, readerList) {
                    group.addTask {
                        for try await record in consumer.records {
                            reader.take(record, largeID: "cong-van-12mb")
                            consumer.markProcessed(record)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }

        // Small documents h58 → h53, every 30 ms: 20 before the large one (its baseline), then
        // 100 while it passes.
        let sentAt = SentTimes()
        let district = try tree.identity(Self.district)
        let settings = tree.cluster(of: Self.district).settings
        let outTopic = tree.topics.out(Self.district)
        @Sendable func sendSmall(_ prefix: String, _ count: Int) async throws {
            let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: settings), logger: testLogger)
            for index in 0..<count {
                let body = Array("Công văn nhỏ \(index)".utf8)
                let smallSigned = try DocumentSigner.sign(
                    body, draft: DocumentDraft(id: "\(prefix)-\(index)", from: Self.district, to: [Self.h53District], contentType: "text/plain"),
                    identity: district)
                sentAt.times.withLock { $0["\(prefix)-\(index)"] = Date() }
                _ = try await producer.send(KafkaProducerRecord(
                    topic: outTopic, key: Array(smallSigned.id.utf8), value: body,
                    headers: smallSigned.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
                try await Task.sleep(for: .milliseconds(30))
            }
            await producer.close()
        }
        func latencies(_ prefix: String, _ count: Int) -> [Double] {
            let arrived = readers[Self.h53District]!.state.withLock { $0.small }
            let sent = sentAt.times.withLock { $0 }
            return (0..<count).compactMap { index -> Double? in
                guard let at = arrived["\(prefix)-\(index)"], let from = sent["\(prefix)-\(index)"] else { return nil }
                return at.timeIntervalSince(from) * 1000
            }.sorted()
        }
        func summary(_ values: [Double]) -> String {
            guard let last = values.last else { return "none" }
            return "p50 \(Int(values[values.count / 2])) ms, p99 \(Int(values[min(values.count - 1, values.count * 99 / 100)])) ms, max \(Int(last)) ms"
        }
        try await sendSmall("base", 20)
        let baselineDeadline = ContinuousClock.now + .seconds(60)
        while latencies("base", 20).count < 20, ContinuousClock.now < baselineDeadline { try await Task.sleep(for: .milliseconds(50)) }
        let baseline = latencies("base", 20)
        #expect(baseline.count == 20, "the baseline's small documents delivered")
        let small = Task { try await sendSmall("small", 100) }

        // The large one, paced by what both inboxes hold.
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: tree.cluster(of: Self.commune).settings), logger: testLogger)
        let started = Date()
        for (position, record) in records.records.enumerated() {
            let deadline = ContinuousClock.now + .seconds(120)
            while min(readers[Self.tayNinh]!.segmentsHeld, readers[Self.g22]!.segmentsHeld) < position - 4 {
                guard ContinuousClock.now < deadline else { throw HarnessError("the inboxes stopped at segment \(readers[Self.tayNinh]!.segmentsHeld), \(readers[Self.g22]!.segmentsHeld)") }
                try await Task.sleep(for: .milliseconds(5))
            }
            _ = try await producer.send(KafkaProducerRecord(
                topic: tree.topics.out(Self.commune), key: Array(signed.id.utf8), value: Array(value[record.range]),
                headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
        }
        await producer.close()
        try await small.value
        let deadline = ContinuousClock.now + .seconds(120)
        func done() -> Bool {
            readers[Self.tayNinh]!.state.withLock { $0.complete != nil } && readers[Self.g22]!.state.withLock { $0.complete != nil }
                && readers[Self.h53District]!.state.withLock { state in (0..<100).allSatisfy { state.small["small-\($0)"] != nil } }
        }
        while !done() {
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = Date().timeIntervalSince(started)
        reading.cancel()
        for consumer in consumers { await consumer.close() }

        let expected = (SHA256Hex.of(value), value.count)
        for code in [Self.tayNinh, Self.g22] {
            let state = readers[code]!.state.withLock { ($0.complete, $0.aborted, $0.segments) }
            #expect(state.0?.sha256 == expected.0 && state.0?.bytes == expected.1, "\(code): assembled byte for byte")
            #expect(state.1 == false, "\(code): no abort")
            #expect(state.2 == 24, "\(code): 24 segments, each once")
        }
        print("12 MiB through h58 → national → h53 and national: \(String(format: "%.1f", elapsed)) s, \(String(format: "%.1f", Double(Self.size) / elapsed / 1e6)) MB/s")

        // The small documents: all delivered; their latency while the large one passed.
        let during = latencies("small", 100)
        #expect(during.count == 100, "every small document delivered")
        print("small documents h58 → h53: 20 before the large one: \(summary(baseline)); 100 while it passed: \(summary(during))")

        // Memory: each relay's peak against its idle figure.
        for (hub, relay) in tree.relays.sorted(by: { $0.key < $1.key }) {
            let (_, peak) = Self.rss(relay.processIdentifier)
            let growth = (peak - (idle[hub] ?? 0)) / 1024
            print("relay \(hub): idle \((idle[hub] ?? 0) / 1024) MiB, peak \(peak / 1024) MiB, +\(growth) MiB")
            #expect(growth < 64, "relay \(hub) grew by \(growth) MiB carrying 12 MiB")
        }

        // The sender's acks: one delivered per recipient, from the hub that delivered.
        let acks = try await tree.inbox(Self.commune, atLeast: 2).compactMap { AckMessage.decode($0.value) }
            .filter { $0.ref == "cong-van-12mb" }
        #expect(Set(acks.map(\.recipient)) == [Self.tayNinh, Self.g22])
        #expect(acks.allSatisfy { $0.outcome == .delivered })
        #expect(acks.count == 2)

        // trace, from the national hub: every hub it passed.
        let trace = try await runDocRelay(["trace", "cong-van-12mb", "--config", tree.configPath("national")])
        #expect(trace.exitCode == 0, "\(trace.standardError)")
        for (hub, event) in [("h58", "forwarded"), ("national", "forwarded"), ("national", "delivered"), ("h53", "delivered")] {
            #expect(trace.standardOutput.split(separator: "\n").contains { $0.contains("\(hub)/") && $0.contains(" \(event) ") }, "\(hub) \(event) in:\n\(trace.standardOutput)")
        }
        _ = try await tree.stopRelays()
    }
}
