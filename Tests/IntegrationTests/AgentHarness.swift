import AsyncHTTPClient
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// One `docrelay agent` process of a test: its configuration, folders and API address.
final class AgentProcess: @unchecked Sendable {
    let code: String
    let root: URL
    let configPath: String
    private(set) var child: ChildProcess?
    private(set) var apiAddress: String?

    var outbox: URL { root.appendingPathComponent("spool/outbox") }
    var sent: URL { root.appendingPathComponent("spool/sent") }
    var rejected: URL { root.appendingPathComponent("spool/rejected") }
    var inbox: URL { root.appendingPathComponent("inbox") }
    var state: URL { root.appendingPathComponent("state") }

    /// A client of the agent's API (`api.clients[]`), with its token.
    struct Client: Sendable {
        var name: String
        var token: String
        var may: [String]

        /// The client every test agent has, which may do everything; ``request(_:_:body:headers:token:)``
        /// uses its token unless told otherwise.
        static let harness = Client(name: "harness", token: "harness-token-7f3a9c", may: ["send", "read", "redeliver"])

        var yaml: String {
            "    - { name: \(name), token-sha256: \(SHA256Hex.of(Array(token.utf8))), may: [\(may.joined(separator: ", "))] }\n"
        }
    }

    /// - Parameters:
    ///   - send: a spool folder.
    ///   - inbox: an inbox folder.
    ///   - webhook: the webhook's URL, with its retry settings (`first-retry`, `give-up-after`).
    ///   - clients: the API's clients (`api.clients`); empty: none.
    ///   - extraConfiguration: appended to agency.yaml (top-level keys, such as `sdk:`).
    convenience init(
        code: String, harness: RelayHarness, send: Bool, inbox: Bool, webhook: String? = nil,
        webhookRetry: (first: String, max: String, giveUp: String) = ("200ms", "1s", "5m"),
        clients: [Client] = [.harness], extraConfiguration: String = ""
    ) throws {
        try self.init(
            code: code, folder: harness.folder, send: send, inbox: inbox, webhook: webhook, webhookRetry: webhookRetry,
            clients: clients, extraConfiguration: extraConfiguration)
    }

    /// `folder`: where `docrelay pki init` wrote the directory, CA and agency keys (a
    /// `RelayHarness`'s or a `TreeHarness`'s); `segmentPace`: `send.segment-pace` (bytes/s).
    init(
        code: String, folder: URL, send: Bool, inbox: Bool, webhook: String? = nil,
        webhookRetry: (first: String, max: String, giveUp: String) = ("200ms", "1s", "5m"),
        clients: [Client] = [.harness], extraConfiguration: String = "", segmentPace: Int? = nil
    ) throws {
        self.code = code
        root = folder.appendingPathComponent("agent-\(code)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        configPath = root.appendingPathComponent("agency.yaml").path
        var yaml = """
            agency: \(code)
            directory: ../directory.yaml
            trust: { anchors: [../ca.pem] }
            identity: { certificate: ../agencies/\(code).pem, key: ../agencies/\(code).key }
            state: state
            api:
              listen: 127.0.0.1:0

            """
        if !clients.isEmpty { yaml += "  clients:\n" + clients.map(\.yaml).joined() }
        yaml += "receive:\n"
        if inbox { yaml += "  inbox: inbox\n" }
        if let webhook {
            yaml += """
                  webhook:
                    url: \(webhook)
                    timeout: 2s
                    first-retry: \(webhookRetry.first)
                    max-retry: \(webhookRetry.max)
                    give-up-after: \(webhookRetry.giveUp)

                """
        }
        if !inbox && webhook == nil { yaml += "  inbox: inbox\n" }
        if send { yaml += "send: { spool: spool, scan-interval: 100ms\(segmentPace.map { ", segment-pace: \($0)" } ?? "") }\n" }
        yaml += extraConfiguration
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
        if send {
            try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        }
    }

    /// Starts the agent and waits until its API listens.
    func start(logLevel: String = "warning") async throws {
        let child = try await ChildProcess(DocRelayBinary.path, ["agent", "--config", configPath, "--log-level", logLevel])
        self.child = child
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            if let line = child.standardOutput.split(separator: "\n").first(where: { $0.contains("agent API listening on http://") }) {
                apiAddress = String(line.split(separator: "http://").last ?? "")
                return
            }
            if !child.isRunning {
                throw HarnessError("agent \(code) exited: \(child.standardError)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("agent \(code) did not listen within 30 s: \(child.standardError)")
    }

    func kill() async throws {
        guard let child else { return }
        child.signal(SIGKILL)
        _ = try await child.wait(upTo: .seconds(20))
        self.child = nil
    }

    func stop() async throws -> ProcessResult? {
        guard let child else { return nil }
        child.signal(SIGTERM)
        let result = try await child.wait(upTo: .seconds(60))
        self.child = nil
        return result
    }

    /// A request to the agent's API, with `token` as its bearer token (none when nil): status
    /// and body.
    func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        token: String? = Client.harness.token
    ) async throws -> (status: Int, body: [UInt8]) {
        guard let apiAddress else { throw HarnessError("agent \(code) is not running") }
        var request = HTTPClientRequest(url: "http://\(apiAddress)\(path)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return (Int(response.status.code), Array(buffer: bytes))
    }

    /// `GET /v1/documents/{id}` as a JSON object.
    func documentState(_ id: String) async throws -> [String: Any]? {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? id
        let (status, body) = try await request("GET", "/v1/documents/\(encoded)")
        guard status == 200 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    /// The documents in the inbox folder (not sidecars nor temporary files), by name.
    func inboxDocuments() -> [String: [UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? []
        var result: [String: [UInt8]] = [:]
        for name in names where !name.hasSuffix(".meta.json") && !name.hasPrefix(".") {
            result[name] = FileManager.default.contents(atPath: inbox.appendingPathComponent(name).path).map(Array.init)
        }
        return result
    }

    /// Puts a document into `outbox/` as agencies must: written beside it, then moved in; the
    /// sidecar (if any) first.
    func drop(_ name: String, _ value: [UInt8], sidecar: String? = nil) throws {
        let staging = root.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        if let sidecar {
            let file = staging.appendingPathComponent(name + ".meta.json")
            try Data(sidecar.utf8).write(to: file)
            try FileManager.default.moveItem(at: file, to: outbox.appendingPathComponent(name + ".meta.json"))
        }
        let file = staging.appendingPathComponent(name)
        try Data(value).write(to: file)
        try FileManager.default.moveItem(at: file, to: outbox.appendingPathComponent(name))
    }

    func names(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    deinit {
        if let child { child.signal(SIGKILL) }
    }
}

extension RelayHarness {
    /// Waits until `condition` holds, checking every 200 ms.
    func eventually(
        _ what: @autoclosure () -> String, within limit: Duration = .seconds(120), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError("not within \(limit): \(what())") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// An edXML document from `from` to `to`, as agency software writes it.
/// `businessDocType`: QCVN 102's `TraceHeaderList/Bussiness/BussinessDocType` (0 new, 1
/// revocation, 2 update, 3 replacement), written only when given.
func edXMLDocument(
    from: String, to: [String], documentId: String, subject: String, businessDocType: String? = nil,
    content: String = "Nội dung văn bản"
) -> [UInt8] {
    let recipients = to.map { "<edXML:To><edXML:OrganId>\($0)</edXML:OrganId><edXML:OrganName>Cơ quan \($0)</edXML:OrganName></edXML:To>" }
        .joined()
    return Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
          <edXML:edXMLHeader>
            <edXML:MessageHeader>
              <edXML:From><edXML:OrganId>\(from)</edXML:OrganId><edXML:OrganName>Cơ quan \(from)</edXML:OrganName></edXML:From>
              \(recipients)
              <edXML:DocumentId>\(documentId)</edXML:DocumentId>
              <edXML:Code><edXML:CodeNumber>12</edXML:CodeNumber><edXML:CodeNotation>QĐ-UBND</edXML:CodeNotation></edXML:Code>
              <edXML:Subject>\(subject)</edXML:Subject>
            </edXML:MessageHeader>\(businessDocType.map { """
                <edXML:TraceHeaderList><edXML:Bussiness><edXML:BussinessDocType>\($0)</edXML:BussinessDocType>\
                <edXML:BussinessDocReason>Lý do</edXML:BussinessDocReason></edXML:Bussiness></edXML:TraceHeaderList>
                """ } ?? "")
          </edXML:edXMLHeader>
          <edXML:edXMLBody><edXML:Content>\(content)</edXML:Content></edXML:edXMLBody>
        </edXML:edXMLEnvelope>
        """.utf8)
}
