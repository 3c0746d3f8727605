import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 11, point 6: a status is the word of a recipient about a document; nobody else's is
/// recorded, however well signed. Real relay and agents over TCP.
@Suite("docrelay agent: statuses only from the recipients of a document", .serialized)
struct AgentProvenanceTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let c = "000.00.00.G02"

    @Test("C, not a recipient, signs status 02 about A's document to B: A keeps it aside with its reason; B's own 02 is recorded")
    func statusFromANonRecipientIsNotRecorded() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b, Self.c])
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentA.start()
        try await agentB.start()

        let documentID = "cv-2026-077"
        try agentA.drop("cong-van.txt", Array("Công văn gửi G01".utf8), sidecar: #"{"to": ["\#(Self.b)"], "id": "\#(documentID)"}"#)
        try await harness.eventually("A records B's status 01") {
            try await Self.statuses(of: documentID, from: Self.b, at: agentA).contains("01")
        }

        // C signs, with its own genuine key, a status 02 (refused) about A's document.
        let forgedID = "st02-from-c"
        let forged = try EdXMLStatusWriter.status(
            from: EdXMLOrganization(organId: Self.c, organName: "Cơ quan \(Self.c)"),
            responseFor: EdXMLResponseFor(organId: Self.a, documentId: documentID),
            code: .refused, description: "Từ chối tiếp nhận", staff: nil, timestamp: Date())
        let signed = try DocumentSigner.sign(
            forged,
            draft: DocumentDraft(
                id: forgedID, kind: .status, from: Self.c, to: [Self.a], ref: documentID, contentType: "application/edxml+xml"),
            identity: try harness.identity(Self.c))
        let producer = try harness.producer()
        _ = try await producer.send(KafkaProducerRecord(
            topic: harness.topics.out(Self.c), key: Array(documentID.utf8), value: forged,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))

        try await harness.eventually("A keeps C's status aside") {
            try await agentA.documentState(forgedID)?["state"] as? String == "refused"
        }
        let keptAside = try #require(try await agentA.documentState(forgedID))
        let reason = try #require(keptAside["reason"] as? String)
        #expect(reason.hasPrefix("provenance: a status from \(Self.c), not a recipient of \(documentID)"), "\(reason)")
        // Kept with its reason, not delivered to A's software.
        let parkedFile = try #require(keptAside["parkedFile"] as? String)
        #expect(parkedFile.contains("/state/refused/"), "\(parkedFile)")
        let reasonFile = try String(contentsOfFile: parkedFile + ".reason.txt", encoding: .utf8)
        #expect(reasonFile.contains(reason))
        #expect(try Data(contentsOf: URL(fileURLWithPath: parkedFile)) == Data(forged))
        #expect(!agentA.inboxDocuments().keys.contains { $0.hasPrefix(forgedID) })

        // B, the recipient, refuses the document: that 02 is recorded.
        let posted = try await agentB.request(
            "POST", "/v1/documents/\(documentID)/status", body: Array(#"{"code": "02", "description": "Sai thẩm quyền"}"#.utf8))
        #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
        try await harness.eventually("A records B's status 02") {
            try await Self.statuses(of: documentID, from: Self.b, at: agentA).contains("02")
        }
        let state = try #require(try await agentA.documentState(documentID))
        let recipients = try #require(state["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["code"] as? String } == [Self.b])
        #expect(try await Self.statuses(of: documentID, from: Self.c, at: agentA).isEmpty)
        #expect((state["summary"] as? String)?.contains(Self.c) == false, "\(state)")

        for agent in [agentA, agentB] {
            let result = try await agent.stop()
            #expect(result?.exitCode == 0, "\(agent.code): \(result?.standardError ?? "")")
        }
    }

    /// The codes of the statuses `agent` shows from `code` about the document `id` it sent.
    static func statuses(of id: String, from code: String, at agent: AgentProcess) async throws -> [String] {
        let recipients = try await agent.documentState(id)?["recipients"] as? [[String: Any]] ?? []
        return recipients.filter { $0["code"] as? String == code }
            .flatMap { ($0["statuses"] as? [[String: Any]]) ?? [] }
            .compactMap { $0["code"] as? String }
    }
}
