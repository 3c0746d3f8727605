import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The agent's HTTP API against its OpenAPI document (docs/agent-api.yaml): every operation is
/// called, in success and in error, and each answer's status must be documented for it and its
/// body must match the documented schema.
@Suite("docrelay agent: the HTTP API conforms to docs/agent-api.yaml")
struct AgentAPIConformanceTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let reader = AgentProcess.Client(name: "reader", token: "reader-token-2b61", may: ["read"])
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/agent-api.yaml")

    @Test("Every operation answers with a documented status and a body of the documented schema")
    func conformance() async throws {
        let schema = try OpenAPISchema(contentsOf: Self.document)
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        // The smallest a hub may allow (issue 13), so that a 1.1 MB body is a 413.
        try harness.setMaxDocumentBytes(1_048_576)
        try await harness.startRelay()
        let webhook = try await WebhookServer.start()
        defer { webhook.stop() }
        webhook.setFailing(true)
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true, clients: [.harness, Self.reader])
        let agentB = try AgentProcess(
            code: Self.b, harness: harness, send: false, inbox: true, webhook: webhook.url,
            webhookRetry: (first: "100ms", max: "200ms", giveUp: "1s"))
        try await agentA.start()
        try await agentB.start()

        var exercised: Set<String> = []
        var statuses: [String: Set<Int>] = [:]
        func call(
            _ agent: AgentProcess, _ method: String, _ template: String, id: String? = nil, query: String = "", body: String? = nil,
            headers: [(String, String)] = [], token: String? = AgentProcess.Client.harness.token
        ) async throws -> (status: Int, json: [String: Any]) {
            let encoded = id.map { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0 }
            let path = (encoded.map { template.replacingOccurrences(of: "{id}", with: $0) } ?? template) + query
            let (status, bytes) = try await agent.request(method, path, body: body.map { Array($0.utf8) }, headers: headers, token: token)
            let problems = schema.problems(method: method, path: template, status: status, body: bytes)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            exercised.insert("\(method) \(template)")
            statuses["\(method) \(template)", default: []].insert(status)
            return (status, (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:])
        }

        // sendDocument: 201, 400, 409, 413, 422.
        let sent = try await call(agentA, "POST", "/v1/documents", body: "Công văn", headers: [("dr-to", Self.b), ("dr-id", "api/1,2026")])
        #expect(sent.status == 201)
        #expect(try await call(agentA, "POST", "/v1/documents", body: "x", headers: [("dr-to", "abc")]).status == 400)
        #expect(try await call(agentA, "POST", "/v1/documents", body: "x", headers: [("dr-to", Self.b), ("dr-id", "api/1,2026")]).status == 409)
        #expect(try await call(agentA, "POST", "/v1/documents", body: String(repeating: "x", count: 1_100_000), headers: [("dr-to", Self.b)]).status == 413)
        #expect(try await call(agentA, "POST", "/v1/documents", body: "x", headers: [("dr-to", "000.00.00.G99")]).status == 422)

        // The document reaches B; its webhook refuses, so B parks it.
        try await harness.eventually("B parked the document") {
            try await agentB.documentState("api/1,2026")?["state"] as? String == "webhook-failed"
        }
        // Without a token: 401; beyond what the client may: 403 (every operation but /healthz).
        let unauthenticated = try await call(agentA, "POST", "/v1/documents", body: "x", headers: [("dr-to", Self.b)], token: nil)
        #expect(unauthenticated.status == 401)
        #expect(unauthenticated.json["error"] as? String == "unauthenticated")
        #expect(try await call(agentA, "POST", "/v1/documents", body: "x", headers: [("dr-to", Self.b)], token: Self.reader.token).status == 403)
        #expect(try await call(agentA, "GET", "/v1/documents/{id}", id: "api/1,2026", token: "wrong").status == 401)
        #expect(try await call(agentA, "GET", "/v1/documents/{id}", id: "api/1,2026", token: Self.reader.token).status == 403)
        #expect(try await call(agentA, "POST", "/v1/documents/{id}/status", id: "api/1,2026", body: #"{"code":"03"}"#, token: Self.reader.token).status == 403)
        #expect(try await call(agentA, "POST", "/v1/documents/{id}/redeliver", id: "api/1,2026", token: nil).status == 401)
        #expect(try await call(agentA, "POST", "/v1/documents/{id}/redeliver", id: "api/1,2026", token: Self.reader.token).status == 403)
        #expect(try await call(agentA, "GET", "/healthz", token: nil).status == 200)
        #expect(try await call(agentA, "GET", "/metrics", token: nil).status == 200)

        // getDocument: sent (A), received (B), 404.
        #expect(try await call(agentA, "GET", "/v1/documents/{id}", id: "api/1,2026").status == 200)
        #expect(try await call(agentB, "GET", "/v1/documents/{id}", id: "api/1,2026").status == 200)
        #expect(try await call(agentA, "GET", "/v1/documents/{id}", id: "nothing").status == 404)
        // sendStatus on a parked document: 409; bad JSON: 400; a bad code: 422; unknown: 404.
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/status", id: "api/1,2026", body: #"{"code":"03"}"#).status == 409)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/status", id: "api/1,2026", body: "code=03").status == 400)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/status", id: "api/1,2026", body: #"{"code":"01"}"#).status == 422)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/status", id: "nothing", body: #"{"code":"03"}"#).status == 404)
        // health: degraded while parked.
        let degraded = try await call(agentB, "GET", "/healthz")
        #expect(degraded.json["status"] as? String == "degraded")
        // redeliverDocument: 502 while the webhook refuses, 200 once it accepts, then 409; 404.
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/redeliver", id: "api/1,2026").status == 502)
        webhook.setFailing(false)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/redeliver", id: "api/1,2026").status == 200)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/redeliver", id: "api/1,2026").status == 409)
        #expect(try await call(agentB, "POST", "/v1/documents/{id}/redeliver", id: "nothing").status == 404)
        // Delivered now: a status is accepted (201), and A's view shows it.
        let status = try await call(
            agentB, "POST", "/v1/documents/{id}/status", id: "api/1,2026",
            body: #"{"code":"05","description":"Đang xử lý","staff":{"department":"Văn thư","staff":"Nguyễn Văn A"}}"#)
        #expect(status.status == 201)
        #expect(status.json["to"] as? String == Self.a)
        try await harness.eventually("A sees status 05") {
            let view = try await call(agentA, "GET", "/v1/documents/{id}", id: "api/1,2026").json
            return (view["summary"] as? String)?.contains("status 05 (processing) from \(Self.b)") == true
        }
        let healthy = try await call(agentA, "GET", "/healthz")
        #expect(healthy.json["status"] as? String == "ok")

        // searchAgencies: 200, 400, 401 (the reader may read: a client without `read` gets 403,
        // documented like the other routes' and checked by their 403s above).
        let agencies = try await call(agentA, "GET", "/v1/agencies", query: "?q=\(Self.b)")
        #expect(agencies.status == 200)
        #expect(((agencies.json["agencies"] as? [[String: Any]])?.first?["code"] as? String) == Self.b)
        #expect(try await call(agentA, "GET", "/v1/agencies", query: "?limit=0").status == 400)
        #expect(try await call(agentA, "GET", "/v1/agencies", token: nil).status == 401)

        // Unknown paths answer JSON too.
        let unknown = try await agentA.request("GET", "/v2/nothing")
        #expect(unknown.status == 404)
        #expect((try? JSONSerialization.jsonObject(with: Data(unknown.body)) as? [String: Any])?["error"] as? String == "not-found")

        let documented = Set(schema.operations.map { "\($0.method) \($0.path)" })
        #expect(exercised == documented, "documented but not called: \(documented.subtracting(exercised)); called but not documented: \(exercised.subtracting(documented))")
        _ = try await agentA.stop()
        _ = try await agentB.stop()
    }
}
