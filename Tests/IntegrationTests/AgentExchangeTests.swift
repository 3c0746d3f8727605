import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The agents of three agencies around the real relay, all real binaries over TCP.
@Suite("docrelay agent: spool to inbox folder and webhook, acks and statuses", .serialized)
struct AgentExchangeTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let c = "000.00.00.G02"

    @Test("A (spool) sends to B (inbox folder) and C (webhook): exact bytes and metadata; A records both delivered acks; B's status 03 reaches A")
    func spoolToFolderAndWebhook() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b, Self.c])
        try await harness.startRelay()
        let webhook = try await WebhookServer.start()
        defer { webhook.stop() }
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        let agentC = try AgentProcess(code: Self.c, harness: harness, send: false, inbox: false, webhook: webhook.url)
        try await agentA.start()
        try await agentB.start()
        try await agentC.start()

        // An edXML document routed by its own header, and a PDF with a sidecar.
        let edxmlID = "000.00.00.G22,2026/11/29,12/QĐ-UBND"
        let edxml = edXMLDocument(from: Self.a, to: [Self.b, Self.c], documentId: edxmlID, subject: "Quyết định giao chỉ tiêu")
        var pdf = Array("%PDF-1.7\n".utf8)
        var random = SeededGenerator(seed: 5)
        pdf += random.bytes(20_000)
        try agentA.drop("quyet-dinh.xml", edxml)
        try agentA.drop("cong-van.pdf", pdf, sidecar: #"{"to": ["\#(Self.b)"], "id": "cv-2026-001"}"#)

        try await harness.eventually("both files in A's sent/") { agentA.names(in: agentA.sent).count == 3 }
        #expect(agentA.names(in: agentA.outbox).isEmpty)
        #expect(agentA.names(in: agentA.rejected).isEmpty)

        // B: both documents, byte for byte, each with its sidecar.
        try await harness.eventually("two documents in B's inbox") { agentB.inboxDocuments().count == 2 }
        let inboxB = agentB.inboxDocuments()
        let edxmlName = try #require(inboxB.keys.first { $0.hasSuffix(".xml") })
        #expect(inboxB[edxmlName] == edxml)
        #expect(inboxB["cv-2026-001.pdf"] == pdf)
        let sidecarData = try Data(contentsOf: agentB.inbox.appendingPathComponent(edxmlName + ".meta.json"))
        let sidecar = try #require(try JSONSerialization.jsonObject(with: sidecarData) as? [String: Any])
        #expect(sidecar["id"] as? String == edxmlID)
        #expect(sidecar["from"] as? String == Self.a)
        #expect(sidecar["sha256"] as? String == SHA256Hex.of(edxml))
        #expect(sidecar["contentType"] as? String == "application/edxml+xml")
        #expect((sidecar["signer"] as? String)?.contains("CN=\(Self.a)") == true)
        #expect((sidecar["hops"] as? [String])?.first?.hasPrefix("national/") == true)
        let pdfSidecar = try JSONSerialization.jsonObject(
            with: Data(contentsOf: agentB.inbox.appendingPathComponent("cv-2026-001.pdf.meta.json"))) as? [String: Any]
        #expect(pdfSidecar?["contentType"] as? String == "application/pdf")

        // C: the edXML document through its webhook, with its headers.
        try await harness.eventually("the webhook received the edXML document") { !webhook.accepted.isEmpty }
        let delivery = try #require(webhook.accepted.first)
        #expect(webhook.accepted.count == 1)
        #expect(delivery.id == edxmlID)
        #expect(delivery.body == edxml)
        #expect(delivery.headers["dr-from"] == Self.a)
        #expect(delivery.headers["content-type"] == "application/edxml+xml")
        #expect(delivery.headers["docrelay-verified-signer"]?.contains("CN=\(Self.a)") == true)

        // A: one delivered ack per recipient, and status 01 from both.
        try await harness.eventually("A records both acks and both statuses 01") {
            guard let state = try await agentA.documentState(edxmlID),
                  let recipients = state["recipients"] as? [[String: Any]]
            else { return false }
            return recipients.count == 2 && recipients.allSatisfy {
                $0["transport"] as? String == "delivered" && (($0["statuses"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == "01" }
            }
        }

        // B registers the document (status 03): A learns it.
        let encoded = try #require(edxmlID.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let posted = try await agentB.request(
            "POST", "/v1/documents/\(encoded)/status", body: Array(#"{"code": "03", "description": "Đã vào sổ văn bản đến"}"#.utf8))
        #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
        try await harness.eventually("A sees status 03 from B") {
            let state = try await agentA.documentState(edxmlID)
            let recipients = state?["recipients"] as? [[String: Any]] ?? []
            let fromB = recipients.first { $0["code"] as? String == Self.b }
            return ((fromB?["statuses"] as? [[String: Any]]) ?? []).contains {
                $0["code"] as? String == "03" && $0["description"] as? String == "Đã vào sổ văn bản đến"
            }
        }
        let summary = try await agentA.documentState(edxmlID)?["summary"] as? String
        #expect(summary?.contains("delivered to \(Self.b)") == true)
        #expect(summary?.contains("delivered to \(Self.c)") == true)
        #expect(summary?.contains("status 03 (accepted and registered) from \(Self.b)") == true)

        // The PDF: delivered to B only.
        let pdfState = try await agentA.documentState("cv-2026-001")
        #expect((pdfState?["to"] as? [String]) == [Self.b])
        // B tells what it received.
        let received = try await agentB.documentState("cv-2026-001")
        #expect(received?["direction"] as? String == "received")
        #expect(received?["state"] as? String == "delivered")

        for agent in [agentA, agentB, agentC] {
            let result = try await agent.stop()
            #expect(result?.exitCode == 0, "\(agent.code): \(result?.standardError ?? "")")
        }
    }
}
