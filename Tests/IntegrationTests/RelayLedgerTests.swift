import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The acceptance ledger with the real `docrelay relay` (contract, "Transport identity"): a
/// record produced again is delivered once, also after a restart; two senders may use one id;
/// one sender's id with another content is a visible conflict.
@Suite("docrelay relay: replays, shared ids and conflicts against the acceptance ledger", .serialized)
struct RelayLedgerTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"
    static let h41 = "000.00.00.H41"

    @Test("A replay is delivered once (also after a restart), two senders' one id both arrive, a sender's id reused is dead-lettered duplicate")
    func ledger() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58, Self.h41])
        let original = try harness.document(Array("Công văn 1".utf8), from: Self.g22, to: [Self.h58], id: "same-1")
        let shared = [
            try harness.document(Array("Từ G22".utf8), from: Self.g22, to: [Self.h41], id: "shared-1"),
            try harness.document(Array("Từ H58".utf8), from: Self.h58, to: [Self.h41], id: "shared-1"),
        ]
        let reused = [
            try harness.document(Array("Nội dung X".utf8), from: Self.g22, to: [Self.h58], id: "reused-1"),
            try harness.document(Array("Nội dung Y".utf8), from: Self.g22, to: [Self.h58], id: "reused-1"),
        ]
        let producer = try harness.producer()
        // Workers take records of one partition at once: which of two records of one identity is
        // first is whichever claims it first, so Y is produced once X is delivered.
        for record in [original, original] + shared + [reused[0]] { try await producer.send(record) }
        try await harness.startRelay()
        // H58: same-1 and reused-1 (X), and the delivered ack of its own shared-1.
        try await harness.waitUntil(harness.topics.inbox(Self.h58), holds: 3)
        try await producer.send(reused[1])

        // H41: both shared-1. G22: delivered acks of same-1, shared-1 and reused-1, and the
        // failed one of reused-1 (Y). One dead letter.
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        try await harness.waitUntil(harness.topics.inbox(Self.h41), holds: 2)
        try await harness.waitUntil(harness.topics.inbox(Self.g22), holds: 4)
        try await waitForDuplicates(1, in: harness)

        let h41 = try await harness.read([harness.topics.inbox(Self.h41)], count: 2)
        #expect(Set(h41.map { String(decoding: $0.value, as: UTF8.self) }) == ["Từ G22", "Từ H58"])
        #expect(Set(h41.compactMap { $0.header(HeaderName.from) }) == [Self.g22, Self.h58])

        let h58 = try await harness.read([harness.topics.inbox(Self.h58)], count: 3)
        let documents = h58.filter { $0.header(HeaderName.kind) != "ack" }
        #expect(documents.map { String(decoding: $0.value, as: UTF8.self) }.sorted() == ["Công văn 1", "Nội dung X"])

        let acks = try await harness.read([harness.topics.inbox(Self.g22)], count: 4).compactMap { AckMessage.decode($0.value) }
        #expect(acks.filter { $0.outcome == .delivered }.map(\.ref).sorted() == ["reused-1", "same-1", "shared-1"])
        let failed = acks.filter { $0.outcome == .failed }
        #expect(failed.map(\.ref) == ["reused-1"])
        #expect(failed.first?.reason?.hasPrefix("duplicate: dr-id reused-1 from 000.00.00.G22 was accepted at ") == true)

        let letters = try await harness.read([harness.topics.deadLetters], count: 1)
        #expect(letters.count == 1)
        #expect(letters.first?.header(HeaderName.errorClass) == "duplicate")
        #expect(String(decoding: letters.first?.value ?? [], as: UTF8.self) == "Nội dung Y")
        let reason = letters.first?.header(HeaderName.error) ?? ""
        #expect(reason.hasPrefix("dr-id reused-1 from 000.00.00.G22 was accepted at "), "\(reason)")
        #expect(reason.hasSuffix(": a sender's id names one content"), "\(reason)")
        #expect(reason.contains("this record's is \(reused[1].headers.string(named: HeaderName.sha256) ?? "?")"), "\(reason)")

        let duplicate = try #require(try await events(of: harness).first { $0.event == .duplicate })
        #expect(duplicate.id == "same-1" && duplicate.from == Self.g22 && duplicate.firstAccepted != nil)
        #expect(duplicate.target?.hasPrefix("docrelay.out.000.00.00.G22/") == true)
        // Three first acceptances from out topics: same-1, both shared-1, reused-1 (X).
        #expect(try await harness.count(harness.topics.accepted) == 4)

        // Restarted, the relay reloads the ledger: the same record a third time is still a replay.
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        try await harness.startRelay()
        var after = try harness.document(Array("Sau khi khởi động lại".utf8), from: Self.g22, to: [Self.h58], id: "after-1")
        after.key = original.key  // behind the third copy, in its partition
        try await producer.send(original)
        try await producer.send(after)
        await producer.close()
        try await harness.waitUntil(harness.topics.inbox(Self.h58), holds: 4)
        try await waitForDuplicates(2, in: harness)
        let again = try await harness.read([harness.topics.inbox(Self.h58)], count: 4)
        #expect(again.filter { $0.stringKey == "same-1" && $0.header(HeaderName.kind) != "ack" }.count == 1)
        let acksAfter = try await harness.read([harness.topics.inbox(Self.g22)], count: 5).compactMap { AckMessage.decode($0.value) }
        #expect(acksAfter.filter { $0.ref == "same-1" }.count == 1)
        #expect(acksAfter.filter { $0.ref == "after-1" && $0.outcome == .delivered }.count == 1)
        _ = try await harness.stopRelay()
    }

    @Test("Without its acceptance ledger topic the relay does not start: exit 2 naming the topic and docrelay provision")
    func missingLedger() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58], withoutTopics: [TopicNames().accepted])
        try await harness.startRelay()
        let result = try #require(try await harness.relay?.wait(upTo: .seconds(60)))
        print("relay without its ledger: exit \(result.exitCode): \(result.standardError.suffix(400))")
        #expect(result.exitCode == 2, "\(result.standardError)")
        #expect(result.standardError.contains("the acceptance ledger docrelay.accepted cannot be read"), "\(result.standardError)")
        #expect(result.standardError.contains("docrelay provision"), "\(result.standardError)")
    }

    /// The relay's events, read to their end.
    private func events(of harness: RelayHarness) async throws -> [RelayEvent] {
        let reader = try await KafkaTopicReader.connect(settings: harness.cluster.settings, logger: testLogger)
        let records = try await reader.readAll(harness.topics.events)
        await reader.close()
        return records.compactMap { RelayEvent.decode($0.value) }
    }

    /// Waits until the events topic holds `count` duplicate events.
    private func waitForDuplicates(_ count: Int, in harness: RelayHarness, within limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while try await events(of: harness).filter({ $0.event == .duplicate }).count < count {
            guard ContinuousClock.now < deadline else { throw HarnessError("fewer than \(count) duplicate events after \(limit)") }
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
