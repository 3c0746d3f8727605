import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 12, points 1 and 2: documents as agencies send them, through the real relay and
/// agents over TCP. A record's transport identity is its sender and `dr-id`; an edXML update,
/// replacement or revocation keeps the original's DocumentId (the business id) and travels as
/// a message of its own.
@Suite("Documents as sent: updates and revocations under one DocumentId; ids scoped to their sender", .serialized)
struct DocumentIdentityTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let c = "000.00.00.G02"

    /// The inbox sidecars of `agent`, by document file name.
    static func sidecars(_ agent: AgentProcess) throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for name in agent.inboxDocuments().keys {
            let data = try Data(contentsOf: agent.inbox.appendingPathComponent(name + ".meta.json"))
            result[name] = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
        return result
    }

    @Test("A new document, its update and its revocation (types 0, 2, 1) to two recipients: three files each, linked by the business id; one delivered ack per recipient per message; status 15 answers the revocation")
    func updateAndRevocation() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b, Self.c])
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        let agentC = try AgentProcess(code: Self.c, harness: harness, send: false, inbox: true)
        for agent in [agentA, agentB, agentC] { try await agent.start() }

        let documentId = "000.00.00.G22,2026/11/30,45/QĐ-UBND"
        let messages: [(name: String, type: String?, content: String)] = [
            ("qd-45.xml", nil, "Quyết định số 45"),
            ("qd-45-cap-nhat.xml", "2", "Quyết định số 45 (đính chính điều 3)"),
            ("qd-45-thu-hoi.xml", "1", "Thu hồi quyết định số 45"),
        ]
        var values: [[UInt8]] = []
        for message in messages {
            let value = edXMLDocument(
                from: Self.a, to: [Self.b, Self.c], documentId: documentId, subject: "Quyết định 45",
                businessDocType: message.type, content: message.content)
            values.append(value)
            try agentA.drop(message.name, value)
            // One after the other, as a clerk sends them.
            try await harness.eventually("\(message.name) sent") { agentA.names(in: agentA.sent).contains(message.name) }
        }
        #expect(agentA.names(in: agentA.rejected).isEmpty, "\(agentA.names(in: agentA.rejected))")
        let ids = values.enumerated().map { index, value in
            index == 0 ? documentId
                : "\(documentId)#\(index == 1 ? "update" : "revocation")-\(SHA256Hex.of(value).prefix(16))"
        }

        for agent in [agentB, agentC] {
            try await harness.eventually("three files in \(agent.code)'s inbox") { agent.inboxDocuments().count == 3 }
            let sidecars = try Self.sidecars(agent)
            #expect(Set(sidecars.values.compactMap { $0["businessId"] as? String }) == [documentId])
            #expect(Set(sidecars.values.compactMap { $0["id"] as? String }) == Set(ids))
            #expect(Set(sidecars.values.compactMap { $0["messageType"] as? String }) == ["new", "update", "revocation"])
            #expect(Set(agent.inboxDocuments().values) == Set(values))
            // Records of different ids may take different partitions, so the three can arrive in
            // any order: the one received last lists the other two.
            let last = try #require(sidecars.values.max { ($0["receivedAt"] as? String ?? "") < ($1["receivedAt"] as? String ?? "") })
            let related = (last["related"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(related) == Set(ids).subtracting([last["id"] as? String ?? ""]), "\(related)")
        }

        // A: for each message, one delivered ack per recipient.
        for id in ids {
            try await harness.eventually("A: \(id) delivered to both") {
                let recipients = try await agentA.documentState(id)?["recipients"] as? [[String: Any]] ?? []
                return recipients.count == 2 && recipients.allSatisfy { $0["transport"] as? String == "delivered" }
            }
        }

        // B agrees to the revocation (status 15): A sees it on the revocation.
        let encoded = try #require(ids[2].addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let posted = try await agentB.request(
            "POST", "/v1/documents/\(encoded)/status", body: Array(#"{"code": "15", "description": "Đồng ý thu hồi"}"#.utf8))
        #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
        try await harness.eventually("A sees status 15 from B on the revocation") {
            let recipients = try await agentA.documentState(ids[2])?["recipients"] as? [[String: Any]] ?? []
            let fromB = recipients.first { $0["code"] as? String == Self.b }
            return ((fromB?["statuses"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == "15" }
        }
        let stateAtB = try await agentB.documentState(ids[2])
        #expect(stateAtB?["businessId"] as? String == documentId)
        #expect(stateAtB?["messageType"] as? String == "revocation")

        for agent in [agentA, agentB, agentC] {
            let result = try await agent.stop()
            #expect(result?.exitCode == 0, "\(agent.code): \(result?.standardError ?? "")")
        }
        _ = try await harness.stopRelay()
    }

    @Test("Two agencies send different documents under one id to the same recipient: both arrive, each answered with status 01")
    func twoSendersOneID() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b, Self.c])
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: true, inbox: true)
        let agentC = try AgentProcess(code: Self.c, harness: harness, send: false, inbox: true)
        for agent in [agentA, agentB, agentC] { try await agent.start() }

        // A UUID both senders' software happened to use (real test files do).
        let shared = "3f2b6c1e-0d4a-4c59-9b7e-2f7c1a9d8e01"
        let fromA = edXMLDocument(from: Self.a, to: [Self.c], documentId: shared, subject: "Từ G22")
        let fromB = edXMLDocument(from: Self.b, to: [Self.c], documentId: shared, subject: "Từ G01")
        try agentA.drop("a.xml", fromA)
        try agentB.drop("b.xml", fromB)

        try await harness.eventually("both in C's inbox") { agentC.inboxDocuments().count == 2 }
        #expect(Set(agentC.inboxDocuments().values) == [fromA, fromB])
        let senders = try Self.sidecars(agentC).values.compactMap { $0["from"] as? String }
        #expect(Set(senders) == [Self.a, Self.b])
        for agent in [agentA, agentB] {
            try await harness.eventually("\(agent.code) gets C's status 01") {
                let recipients = try await agent.documentState(shared)?["recipients"] as? [[String: Any]] ?? []
                return recipients.first?["transport"] as? String == "delivered"
                    && ((recipients.first?["statuses"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == "01" }
            }
        }
        // C's API: the id alone is ambiguous; with ?from= each one.
        let encoded = try #require(shared.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let ambiguous = try await agentC.request("GET", "/v1/documents/\(encoded)")
        #expect(ambiguous.status == 409, "\(String(decoding: ambiguous.body, as: UTF8.self))")
        #expect(String(decoding: ambiguous.body, as: UTF8.self).contains("ambiguous"))
        let one = try await agentC.request("GET", "/v1/documents/\(encoded)?from=\(Self.b)")
        #expect(one.status == 200)
        #expect(String(decoding: one.body, as: UTF8.self).contains(Self.b))

        for agent in [agentA, agentB, agentC] {
            let result = try await agent.stop()
            #expect(result?.exitCode == 0, "\(agent.code): \(result?.standardError ?? "")")
        }
        _ = try await harness.stopRelay()
    }

    @Test("One sender reusing an id for other content: the recipient's agent keeps the first and sets the second aside with a conflict reason")
    func sameSenderOtherContent() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.c])
        try await harness.startRelay()
        let agentC = try AgentProcess(code: Self.c, harness: harness, send: false, inbox: true)
        try await agentC.start()
        let first = try harness.document(Array("Công văn 7 (bản gửi)".utf8), from: Self.a, to: [Self.c], id: "cv-7")
        let other = try harness.document(Array("Công văn 7 (nội dung khác)".utf8), from: Self.a, to: [Self.c], id: "cv-7")
        let producer = try harness.producer()
        _ = try await producer.send(first)
        try await harness.eventually("the first in C's inbox") { agentC.inboxDocuments()["cv-7.txt"] == first.value }
        // Straight into C's inbox topic, as a hub that does not check would write it.
        _ = try await producer.send(KafkaProducerRecord(
            topic: harness.topics.inbox(Self.c), key: other.key, value: other.value, headers: other.headers))
        await producer.close()

        let refused = agentC.state.appendingPathComponent("refused")
        try await harness.eventually("the other set aside") {
            agentC.names(in: refused).contains { $0.hasSuffix(".reason.txt") }
        }
        let reasonName = try #require(agentC.names(in: refused).first { $0.hasSuffix(".reason.txt") })
        let reason = try String(contentsOf: refused.appendingPathComponent(reasonName), encoding: .utf8)
        #expect(reason.contains("conflict: \(Self.a) sent cv-7 before"), "\(reason)")
        #expect(agentC.inboxDocuments()["cv-7.txt"] == first.value)
        #expect(agentC.inboxDocuments().count == 1)
        let result = try await agentC.stop()
        #expect(result?.exitCode == 0)
        _ = try await harness.stopRelay()
    }
}
