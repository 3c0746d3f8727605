import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// `kill -9` of an agent in the middle of its work, then a restart: nothing lost, nothing twice.
@Suite("docrelay agent: kill -9 while sending and while receiving", .serialized)
struct AgentCrashTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let count = 1_000

    /// `count` small documents: half edXML (routed by their header), half text with sidecars.
    static func documents(seed: UInt64) -> [(name: String, value: [UInt8], sidecar: String?)] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            if index.isMultiple(of: 2) {
                let value = edXMLDocument(from: a, to: [b], documentId: "\(a),2026/11/29,\(index)/UBND", subject: "Văn bản số \(index)")
                return (String(format: "vb-%04d.xml", index), value, nil)
            }
            let value = Array("Công văn \(index): ".utf8) + random.bytes(Int.random(in: 50...400, using: &random))
            return (String(format: "cv-%04d.txt", index), value, #"{"to": ["\#(b)"]}"#)
        }
    }

    @Test("kill -9 of A's agent while it sends 1,000 files, then a restart: all 1,000 delivered, none twice into B's folder")
    func killSender() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentB.start()
        let documents = Self.documents(seed: 11)
        for document in documents { try agentA.drop(document.name, document.value, sidecar: document.sidecar) }

        try await agentA.start()
        try await harness.eventually("A has sent some") { agentA.names(in: agentA.sent).count >= 150 }
        try await agentA.kill()
        let sentBeforeCrash = agentA.names(in: agentA.sent).filter { !$0.hasSuffix(".meta.json") }.count
        #expect(sentBeforeCrash < Self.count, "the crash came too late to test anything")

        try await agentA.start()
        try await harness.eventually("B's folder holds 1,000 documents", within: .seconds(180)) {
            agentB.inboxDocuments().count >= Self.count
        }
        try await harness.eventually("A's outbox is empty") { agentA.names(in: agentA.outbox).isEmpty }
        // Time for a late second copy to show, were there one.
        try await Task.sleep(for: .seconds(3))

        let received = agentB.inboxDocuments()
        #expect(received.count == Self.count)
        let expected = Dictionary(documents.map { ($0.value, 1) }, uniquingKeysWith: +)
        let got = Dictionary(received.values.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(got == expected, "every file's bytes exactly once in B's folder")
        #expect(agentA.names(in: agentA.sent).filter { !$0.hasSuffix(".meta.json") }.count == Self.count)
        #expect(agentA.names(in: agentA.rejected).isEmpty)

        // Republished after the crash: the same ids again (dropped by B), never new ids.
        let published = try await harness.count(harness.topics.out(Self.a))
        let records = try await harness.read([harness.topics.out(Self.a)], count: Int(published), quiet: .seconds(1))
        let ids = records.map(\.stringKey)
        #expect(Set(ids).count == Self.count)
        print("kill -9 of the sending agent after \(sentBeforeCrash) files moved to sent/: \(ids.count - Set(ids).count) republished with their same id")
        _ = try await agentA.stop()
        _ = try await agentB.stop()
    }

    @Test("kill -9 of B's agent while it receives, then a restart: nothing missing, nothing written twice, one status 01 each")
    func killReceiver() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        try await harness.startRelay()
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentB.start()
        // A publishes directly (signed as its agent would).
        var expected: [String: [UInt8]] = [:]
        let producer = try harness.producer()
        var random = SeededGenerator(seed: 12)
        for index in 0..<Self.count {
            let value = Array("Thông báo \(index): ".utf8) + random.bytes(Int.random(in: 50...400, using: &random))
            let id = "tb-\(index)"
            expected["\(id).txt"] = value
            _ = try await producer.send(try harness.document(value, from: Self.a, to: [Self.b], id: id))
        }
        await producer.close()

        try await harness.eventually("B has received some") { agentB.inboxDocuments().count >= 150 }
        try await agentB.kill()
        // What a kill inside a durable write leaves (seen once in CI): its temporary file.
        try Data("part of a document".utf8).write(to: agentB.inbox.appendingPathComponent(".tb-0.txt.1ED52CBC.tmp"))
        let beforeCrash = agentB.inboxDocuments().count
        #expect(beforeCrash < Self.count, "the crash came too late to test anything")
        try await agentB.start()
        try await harness.eventually("B's folder holds 1,000 documents", within: .seconds(180)) {
            agentB.inboxDocuments().count >= Self.count
        }
        try await Task.sleep(for: .seconds(3))
        let received = agentB.inboxDocuments()
        #expect(received.count == Self.count)
        #expect(received == expected)
        // No temporary file left behind for a reader to mistake.
        let leftovers = agentB.names(in: agentB.inbox).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // Status 01 for each document, each with one id (a restart re-sends the same record).
        try await harness.eventually("B sent status 01 for every document") {
            try await harness.count(harness.topics.out(Self.b)) >= Int64(Self.count)
        }
        let published = try await harness.count(harness.topics.out(Self.b))
        let statuses = try await harness.read([harness.topics.out(Self.b)], count: Int(published), quiet: .seconds(1))
        let refs = Dictionary(grouping: statuses, by: { $0.header(HeaderName.ref) ?? "" })
        #expect(refs.count == Self.count)
        #expect(refs.values.allSatisfy { Set($0.map(\.stringKey)).count == 1 }, "one status id per document")
        print("kill -9 of the receiving agent after \(beforeCrash) files: \(statuses.count - refs.count) statuses 01 published twice with their same id")
        _ = try await agentB.stop()
    }
}
