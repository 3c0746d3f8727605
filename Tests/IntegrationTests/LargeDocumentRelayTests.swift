import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 13: large documents through the real relay, as segments (contract, "Large
/// documents"). The embedded broker keeps about 5 MiB per partition and drops older data
/// silently: each document here is 2.5 MB (five 512 KiB segments), the relay runs while the
/// segments are produced, and no topic's partition is asked to hold more than 5 MiB (the
/// restart test's inbox, with the segments passed on twice, holds 4 MB at most).
@Suite("docrelay relay: large documents pass as segments, each fault dead-lettered with its reason")
struct LargeDocumentRelayTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"
    static let g01 = "000.00.00.G01"
    /// ASCII, so that kcat's output reads back exactly through a text pipe.
    static let value: [UInt8] = (0..<2_500_000).map { UInt8(ascii: "A") + UInt8(($0 &* 7 &+ $0 >> 11) % 26) }

    /// The segment records of a signed document from G22 to H58.
    static func segments(_ harness: RelayHarness, value: [UInt8] = value, id: String) throws -> [KafkaProducerRecord] {
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(id: id, from: g22, to: [h58], contentType: "application/pdf"),
            identity: try harness.identity(g22))
        return DocumentRecords(signed: signed, size: value.count, segmentation: DocumentSegmentation()).records.map {
            KafkaProducerRecord(
                topic: harness.topics.out(g22), key: Array(signed.id.utf8), value: Array(value[$0.range]),
                headers: $0.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
    }

    /// What a reader of `records` (one document's, in order) assembles: the bytes when its last
    /// segment came, whether an abort marker came, and how many segment records there were.
    static func assemble(_ records: [KafkaRecord]) -> (bytes: [UInt8]?, aborted: KafkaRecord?, segments: Int) {
        var bytes: [UInt8] = []
        var complete: [UInt8]?
        var aborted: KafkaRecord?
        var segments = 0
        for record in records {
            guard let mark = record.header(HeaderName.segment) else { continue }
            if mark.hasPrefix("abort/") { aborted = record; continue }
            segments += 1
            let parts = mark.split(separator: "/")
            if parts[0] == "0" { bytes = [] }
            bytes += record.value
            if Int(parts[0])! + 1 == Int(parts[1])! { complete = bytes }
        }
        return (complete, aborted, segments)
    }

    private func send(_ records: [KafkaProducerRecord], harness: RelayHarness) async throws {
        let producer = try harness.producer()
        for record in records { try await producer.send(record) }
        await producer.close()
    }

    @Test("2.5 MB in five segments, with a small document between them: byte-identical in the inbox, the last segment after the others, one delivered ack and one delivered event")
    func delivered() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58, Self.g01])
        try await harness.startRelay()
        var records = try Self.segments(harness, id: "large-1")
        records.insert(try harness.document(Array("Công văn ngắn".utf8), from: Self.g22, to: [Self.g01], id: "small-1"), at: 2)
        try await send(records, harness: harness)
        let inbox = try await harness.read([harness.topics.inbox(Self.h58), harness.topics.inbox(Self.g01)], count: 6)
        let large = inbox.filter { $0.stringKey == "large-1" }
        let (bytes, aborted, count) = Self.assemble(large)
        #expect(count == 5)
        #expect(aborted == nil)
        #expect(byteDifference(bytes, Self.value) == nil, "the document assembled from the inbox is the one sent")
        #expect(large.map { $0.header(HeaderName.segment) } == ["0/5", "1/5", "2/5", "3/5", "4/5"])
        #expect(large.allSatisfy { $0.header(HeaderName.size) == "2500000" && $0.header(HeaderName.accepted) != nil })
        #expect(inbox.contains { $0.stringKey == "small-1" && $0.value == Array("Công văn ngắn".utf8) })
        // What kcat sees: the segments' values, in order, are the document.
        let kcat = try #require(which("kcat"), "kcat is required (make test installs it)")
        let partition = try #require(large.first?.partition)
        let printed = try await run(kcat, [
            "-C", "-b", harness.cluster.bootstrapServers, "-t", harness.topics.inbox(Self.h58), "-p", String(partition),
            "-o", "beginning", "-e", "-q", "-f", "%s",
        ])
        #expect(printed.exitCode == 0, "\(printed.standardError)")
        #expect(Array(printed.standardOutput.utf8) == Self.value, "kcat -f '%s' of the inbox partition prints the document")
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 2)
        let ackMessages = acks.compactMap { AckMessage.decode($0.value) }
        #expect(ackMessages.filter { $0.ref == "large-1" }.map(\.outcome) == [.delivered], "one ack for the document, not one per segment")
        let events = try await harness.read([harness.topics.events], count: 4)
        let kinds = events.filter { $0.stringKey == "large-1" }.compactMap { RelayEvent.decode($0.value)?.event.rawValue }
        #expect(kinds.filter { $0 == "delivered" }.count == 1)
        #expect(kinds.filter { $0 == "accepted" }.count == 1)
        _ = try await harness.stopRelay()
    }

    @Test("A tampered segment: dead-lettered signature naming the segments' digest, a negative ack, the abort marker after the segments passed on; the last segment is never passed on; sent again unaltered, delivered")
    func tampered() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58])
        try await harness.startRelay()
        var records = try Self.segments(harness, id: "large-tampered")
        records[2].value[1000] ^= 0x01
        try await send(records, harness: harness)
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        let inbox = try await harness.read([harness.topics.inbox(Self.h58)], count: 5)
        let (bytes, aborted, count) = Self.assemble(inbox)
        #expect(bytes == nil, "no reader completes it")
        #expect(count == 4, "segments 1 to 4 passed on, not the last")
        #expect(aborted?.header(HeaderName.errorClass) == "signature")
        #expect(aborted?.value.isEmpty == true)
        let letters = try await harness.read([harness.topics.deadLetters], count: 1)
        #expect(letters.first?.header(HeaderName.errorClass) == "signature")
        #expect(letters.first?.header(HeaderName.error)?.hasPrefix("dr-sha256: the SHA-256 of the 5 segments (2500000 bytes) is ") == true)
        #expect(letters.first?.value.isEmpty == true)
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 1).compactMap { AckMessage.decode($0.value) }
        #expect(acks.map(\.outcome) == [.failed])
        #expect(acks.first?.reason?.hasPrefix("signature: dr-sha256: the SHA-256 of the 5 segments") == true)

        // The sender, told, sends it again, unaltered: delivered (the refusal left no ledger
        // entry that would take the second sending for a replay).
        records[2].value[1000] ^= 0x01
        try await send(records, harness: harness)
        let again = try await harness.read([harness.topics.inbox(Self.h58)], count: 10)
        #expect(byteDifference(Self.assemble(again).bytes, Self.value) == nil, "sent again, delivered whole")
        let allAcks = try await harness.read([harness.topics.inbox(Self.g22)], count: 2).compactMap { AckMessage.decode($0.value) }
        #expect(allAcks.map(\.outcome) == [.failed, .delivered])
        _ = try await harness.stopRelay()
    }

    @Test("A missing segment: dead-lettered malformed naming it, a negative ack, the abort marker; the segments after it are skipped")
    func missing() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58])
        try await harness.startRelay()
        var records = try Self.segments(harness, id: "large-missing")
        records.remove(at: 2)
        try await send(records, harness: harness)
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        let letters = try await harness.read([harness.topics.deadLetters], count: 1)
        #expect(letters.count == 1, "one dead letter for the document, not one per segment")
        #expect(letters.first?.header(HeaderName.errorClass) == "malformed")
        #expect(letters.first?.header(HeaderName.error) == "segment 3 of 5 is missing: segment 4 of 5 came after segment 2 of 5 (segments travel in order under one key)")
        let inbox = try await harness.read([harness.topics.inbox(Self.h58)], count: 3)
        let (bytes, aborted, count) = Self.assemble(inbox)
        #expect(bytes == nil && count == 2 && aborted?.header(HeaderName.errorClass) == "malformed")
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 1).compactMap { AckMessage.decode($0.value) }
        #expect(acks.map(\.outcome) == [.failed])
        _ = try await harness.stopRelay()
    }

    @Test("A document abandoned by its sender: after limits.segment-timeout, dead-lettered incomplete, a negative ack, the abort marker, and its offsets committed")
    func abandoned() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58], extraConfiguration: "")
        var yaml = try String(contentsOfFile: harness.configPath, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "limits:\n", with: "limits:\n  segment-timeout: 5s\n")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: harness.configPath))
        try await harness.startRelay()
        let records = try Self.segments(harness, id: "large-abandoned")
        try await send(Array(records.prefix(2)), harness: harness)
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1, within: .seconds(60))
        let letters = try await harness.read([harness.topics.deadLetters], count: 1)
        #expect(letters.first?.header(HeaderName.errorClass) == "incomplete")
        let reason = letters.first?.header(HeaderName.error) ?? ""
        #expect(reason.hasPrefix("only 2 of 5 segments came (1048576 of 2500000 bytes), then none for "), "\(reason)")
        #expect(reason.hasSuffix("(limits.segment-timeout): the sender did not finish the document"), "\(reason)")
        let inbox = try await harness.read([harness.topics.inbox(Self.h58)], count: 3)
        #expect(Self.assemble(inbox).aborted?.header(HeaderName.errorClass) == "incomplete")
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 1).compactMap { AckMessage.decode($0.value) }
        #expect(acks.map(\.outcome) == [.failed])
        // Its offsets are committed once it is dead-lettered: a restart reads nothing again.
        _ = try await harness.stopRelay()
        try await harness.startRelay()
        try await Task.sleep(for: .seconds(8))
        #expect(try await harness.count(harness.topics.deadLetters) == 1)
        #expect(try await harness.count(harness.topics.inbox(Self.h58)) == 3)
        _ = try await harness.stopRelay()
    }

    @Test("kill -9 of the relay in the middle of a document, then a restart: delivered once and whole (the reader starts over at segment 1)")
    func killedMidDocument() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58])
        try await harness.startRelay()
        let records = try Self.segments(harness, id: "large-killed")
        try await send(Array(records.prefix(3)), harness: harness)
        try await harness.waitUntil(harness.topics.inbox(Self.h58), holds: 3)
        try await harness.killRelay()
        try await harness.startRelay()
        try await send(Array(records.dropFirst(3)), harness: harness)
        let inbox = try await harness.read([harness.topics.inbox(Self.h58)], count: 8, quiet: .seconds(3))
        let (bytes, aborted, count) = Self.assemble(inbox)
        #expect(byteDifference(bytes, Self.value) == nil, "delivered whole")
        #expect(aborted == nil)
        #expect(count == 8, "segments 1-3 passed on again from the start after the restart: 3 + 5")
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 1, quiet: .seconds(3))
            .compactMap { AckMessage.decode($0.value) }
        #expect(acks.map(\.outcome) == [.delivered], "delivered once: one ack")
        _ = try await harness.stopRelay()
    }

    @Test("A document over the hub's max-document-bytes: refused at its first segment as oversize naming dr-size, one dead letter, one negative ack, nothing passed on")
    func oversizeDocument() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58])
        try harness.setMaxDocumentBytes(2_097_152)
        try await harness.startRelay()
        try await send(try Self.segments(harness, id: "large-oversize"), harness: harness)
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        let letters = try await harness.read([harness.topics.deadLetters], count: 1)
        #expect(letters.count == 1)
        #expect(letters.first?.header(HeaderName.errorClass) == "oversize")
        #expect(letters.first?.header(HeaderName.error) == "dr-size: expected a document of at most 2097152 bytes, not 2500000")
        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 1).compactMap { AckMessage.decode($0.value) }
        #expect(acks.map(\.outcome) == [.failed])
        #expect(try await harness.count(harness.topics.inbox(Self.h58)) == 0)
        _ = try await harness.stopRelay()
    }
}
