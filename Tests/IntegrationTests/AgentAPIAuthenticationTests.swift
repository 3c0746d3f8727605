import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Whoever reaches the agent's API signs with the agency's key: only its configured clients
/// may call it (issue 11, point 1).
@Suite("docrelay agent: the HTTP API admits only its clients", .serialized)
struct AgentAPIAuthenticationTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let sender = AgentProcess.Client(name: "van-thu", token: "token-of-van-thu-51c2", may: ["send", "read"])
    static let other = AgentProcess.Client(name: "lanh-dao", token: "token-of-lanh-dao-0e8d", may: ["send", "read"])
    static let reader = AgentProcess.Client(name: "bao-cao", token: "token-of-bao-cao-93aa", may: ["read"])

    @Test("Without a token, or with one no client has: 401 JSON and nothing signed; beyond what a client may, or another client's document: 403")
    func clientsOnly() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        let agent = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true, clients: [Self.sender, Self.other, Self.reader])
        try await agent.start()
        let out = harness.topics.out(Self.a)
        let document = Array("Công văn không ai ký".utf8)
        let headers = [("dr-to", Self.b), ("dr-id", "auth-1")]

        let anonymous = try await agent.request("POST", "/v1/documents", body: document, headers: headers, token: nil)
        #expect(anonymous.status == 401)
        #expect(json(anonymous.body)["error"] as? String == "unauthenticated", "\(String(decoding: anonymous.body, as: UTF8.self))")
        let wrong = try await agent.request("POST", "/v1/documents", body: document, headers: headers, token: "not-a-token")
        #expect(wrong.status == 401)
        #expect(json(wrong.body)["error"] as? String == "unauthenticated")
        let readOnly = try await agent.request("POST", "/v1/documents", body: document, headers: headers, token: Self.reader.token)
        #expect(readOnly.status == 403)
        #expect(json(readOnly.body)["error"] as? String == "forbidden")
        #expect(try await agent.request("GET", "/v1/documents/auth-1", token: nil).status == 401)
        #expect(try await agent.request("POST", "/v1/documents/auth-1/redeliver", token: Self.sender.token).status == 403)
        // None of them was signed, recorded or published.
        #expect(try await agent.request("GET", "/v1/documents/auth-1", token: Self.sender.token).status == 404)
        #expect(try await harness.count(out) == 0)

        // The sending client's document is its own: another client may not read it.
        let sent = try await agent.request("POST", "/v1/documents", body: document, headers: headers, token: Self.sender.token)
        #expect(sent.status == 201, "\(String(decoding: sent.body, as: UTF8.self))")
        #expect(try await agent.request("GET", "/v1/documents/auth-1", token: Self.sender.token).status == 200)
        let foreign = try await agent.request("GET", "/v1/documents/auth-1", token: Self.other.token)
        #expect(foreign.status == 403)
        #expect(json(foreign.body)["error"] as? String == "forbidden")
        #expect(try await agent.request("GET", "/v1/documents/auth-1", token: Self.reader.token).status == 403)
        // Health stays open.
        #expect(try await agent.request("GET", "/healthz", token: nil).status == 200)
        try await Task.sleep(for: .seconds(1))
        #expect(try await harness.count(out) == 1)
        _ = try await agent.stop()
    }

    @Test("An API on an address other hosts reach, without clients: exit 2 naming api.clients", arguments: ["0.0.0.0:9580", "[::]:9580", "10.1.2.3:9580"])
    func openAddressRefused(listen: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agency-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("""
            agency: 000.00.00.G22
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: c.pem, key: k.pem }
            receive: { inbox: inbox }
            api:
              listen: "\(listen)"
            """.utf8).write(to: file)
        for arguments in [["agent", "--config", file.path], ["agent", "--config", file.path, "--check-config"]] {
            let result = try await runDocRelay(arguments)
            #expect(result.exitCode == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("\(file.path):7"), "\(result.standardError)")
            #expect(result.standardError.contains("key 'api.clients'"), "\(result.standardError)")
        }
    }

    @Test("docrelay agent token prints a token and the api.clients entry that admits it")
    func tokenCommand() async throws {
        let result = try await runDocRelay(["agent", "token", "--name", "qlvb", "--may", "send", "read"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let token = try #require(lines.first { $0.hasPrefix("token: ") }).dropFirst("token: ".count)
        #expect(token.count == 43)
        let digest = try #require(lines.first { $0.contains("token-sha256: ") }).split(separator: " ").last.map(String.init)
        #expect(digest == SHA256Hex.of(Array(token.utf8)))
        #expect(result.standardOutput.contains("- name: qlvb"))
        #expect(result.standardOutput.contains("may: [send, read]"))
    }

    private func json(_ body: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
    }
}
