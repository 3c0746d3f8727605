import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The receiving agent's webhook: retried while it fails, parked visibly when it never recovers.
@Suite("docrelay agent: a failing webhook", .serialized)
struct AgentWebhookTests {
    static let a = "000.00.00.G22"
    static let c = "000.00.00.G02"

    @Test("C's webhook answering 503 for a while: deliveries retried, then completed, each accepted once")
    func webhookRecovers() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.c])
        try await harness.startRelay()
        let webhook = try await WebhookServer.start()
        defer { webhook.stop() }
        webhook.failNext(6)
        let agentC = try AgentProcess(code: Self.c, harness: harness, send: false, inbox: false, webhook: webhook.url)
        try await agentC.start()
        let producer = try harness.producer()
        var expected: [String: [UInt8]] = [:]
        for index in 0..<5 {
            let value = Array("Giấy mời \(index)".utf8)
            expected["gm-\(index)"] = value
            _ = try await producer.send(try harness.document(value, from: Self.a, to: [Self.c], id: "gm-\(index)"))
        }
        await producer.close()

        try await harness.eventually("the webhook accepted all five") { webhook.accepted.count >= 5 }
        try await Task.sleep(for: .seconds(2))
        let accepted = Dictionary(grouping: webhook.accepted, by: \.id)
        #expect(accepted.count == 5)
        #expect(accepted.values.allSatisfy { $0.count == 1 }, "each accepted once")
        #expect(accepted.mapValues { $0[0].body } == expected)
        #expect(webhook.refusedCount == 6)
        // Each attempt is recorded: 5 accepted plus the 6 refused.
        var attempts = 0
        for index in 0..<5 {
            let state = try await agentC.documentState("gm-\(index)")
            #expect(state?["state"] as? String == "delivered")
            attempts += (state?["webhook"] as? [String: Any])?["attempts"] as? Int ?? 0
        }
        #expect(attempts == 11)
        let health = try await agentC.request("GET", "/healthz")
        #expect(String(decoding: health.body, as: UTF8.self).contains(#""status":"ok""#))
        _ = try await agentC.stop()
    }

    @Test("A webhook that never recovers: the document is parked with its reason, visible in the API and /healthz; redelivered on request")
    func webhookNeverRecovers() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.c])
        try await harness.startRelay()
        let webhook = try await WebhookServer.start()
        defer { webhook.stop() }
        webhook.setFailing(true)
        let agentC = try AgentProcess(
            code: Self.c, harness: harness, send: false, inbox: false, webhook: webhook.url,
            webhookRetry: (first: "100ms", max: "500ms", giveUp: "3s"))
        try await agentC.start()
        let producer = try harness.producer()
        let value = Array("Báo cáo quý IV".utf8)
        _ = try await producer.send(try harness.document(value, from: Self.a, to: [Self.c], id: "bc-q4"))
        let later = Array("Báo cáo bổ sung".utf8)
        _ = try await producer.send(try harness.document(later, from: Self.a, to: [Self.c], id: "bc-bs"))
        await producer.close()

        try await harness.eventually("bc-q4 is parked") {
            try await agentC.documentState("bc-q4")?["state"] as? String == "webhook-failed"
        }
        let state = try #require(try await agentC.documentState("bc-q4"))
        #expect((state["reason"] as? String)?.contains("HTTP 503") == true)
        let parkedFile = try #require(state["parkedFile"] as? String)
        #expect(FileManager.default.contents(atPath: parkedFile).map(Array.init) == value)
        let reason = try String(contentsOfFile: parkedFile + ".reason.txt", encoding: .utf8)
        #expect(reason.contains("HTTP 503"))
        // The agent goes on: the next document is tried (and parked too, the webhook still down).
        try await harness.eventually("bc-bs is parked too") {
            try await agentC.documentState("bc-bs")?["state"] as? String == "webhook-failed"
        }
        let health = try await agentC.request("GET", "/healthz")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(health.body)) as? [String: Any])
        #expect(report["status"] as? String == "degraded")
        #expect(report["parked"] as? Int == 2)

        // Still down: redelivery refused, still parked.
        let refused = try await agentC.request("POST", "/v1/documents/bc-q4/redeliver")
        #expect(refused.status == 502)
        webhook.setFailing(false)
        let redelivered = try await agentC.request("POST", "/v1/documents/bc-q4/redeliver")
        #expect(redelivered.status == 200, "\(String(decoding: redelivered.body, as: UTF8.self))")
        #expect(webhook.accepted.map(\.id) == ["bc-q4"])
        #expect(webhook.accepted.first?.body == value)
        #expect(try await agentC.documentState("bc-q4")?["state"] as? String == "delivered")
        #expect(!FileManager.default.fileExists(atPath: parkedFile))
        let again = try await agentC.request("POST", "/v1/documents/bc-q4/redeliver")
        #expect(again.status == 409)
        _ = try await agentC.stop()
    }
}
