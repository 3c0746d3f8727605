import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// What an agency gets wrong gets a clear error, and nothing is lost.
@Suite("docrelay agent: bad files and bad requests", .serialized)
struct AgentBadInputTests {
    static let a = "000.00.00.G22"
    static let b = "000.00.00.G01"

    @Test("Files that are not valid documents go to rejected/ with a reason file; a request with a bad agency code gets a 4xx JSON error; the good ones are delivered")
    func badInput() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b])
        // The smallest a hub may allow (issue 13): qua-lon.pdf, one byte over, is oversize.
        try harness.setMaxDocumentBytes(1_048_576)
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentA.start()
        try await agentB.start()

        let garbage: [UInt8] = [0x00, 0xFF, 0x13, 0x37] + Array("không phải văn bản".utf8)
        let cases: [(name: String, value: [UInt8], sidecar: String?, expect: String)] = [
            ("khong-co-nguoi-nhan.bin", garbage, nil, "no khong-co-nguoi-nhan.bin.meta.json names its recipients"),
            ("ma-sai.txt", Array("mã sai".utf8), #"{"to": ["abc"]}"#, "'abc'"),
            ("khong-ton-tai.txt", Array("không tồn tại".utf8), #"{"to": ["000.00.00.G99"]}"#, "000.00.00.G99 is not an agency of the directory"),
            ("sidecar-hong.txt", Array("sidecar hỏng".utf8), "{not json", "a JSON object"),
            ("gia-mao.xml", edXMLDocument(from: Self.b, to: [Self.a], documentId: "gia-mao-1", subject: "Giả mạo"), nil, "From"),
            ("qua-lon.pdf", [UInt8](repeating: 0x25, count: 1_048_577), #"{"to": ["\#(Self.b)"]}"#, "class: oversize"),
            ("co-dtd.xml", withDTD(edXMLDocument(from: Self.a, to: [Self.b], documentId: "co-dtd-1", subject: "Có DTD")), nil,
             "edXML must not declare a DTD (<!DOCTYPE found at byte 39)"),
            // Unreadable edXML as real software wrote it (issue 12, point 4): each with its own cause, not "no recipients".
            ("truoc-khai-bao.edxml", try fixture("unreadable-content-before-declaration"), nil,
             #"reason: not readable edXML: content before the XML declaration at byte 0 ("1212")"#),
            ("khai-utf16.xml", try fixture("unreadable-utf16-declared-over-utf8"), nil,
             #"reason: not readable edXML: declared encoding "utf-16" disagrees with the bytes (UTF-8)"#),
            ("utf16le.edxml", try fixture("unreadable-utf16le"), nil,
             "reason: not readable edXML: UTF-16 is not accepted (little-endian, byte order mark FF FE)"),
            ("utf16be", try fixture("unreadable-utf16be"), nil,
             "reason: not readable edXML: UTF-16 is not accepted (big-endian, byte order mark FE FF)"),
        ]
        for item in cases { try agentA.drop(item.name, item.value, sidecar: item.sidecar) }
        let good = Array("Văn bản hợp lệ".utf8)
        try agentA.drop("hop-le.txt", good, sidecar: #"{"to": ["\#(Self.b)"], "id": "hop-le-1"}"#)
        // A byte order mark and CRLF line ends: read as usual, delivered.
        let bomCRLF = try fixture("readable-bom-crlf")
        try agentA.drop("bom-crlf.edxml", bomCRLF)

        try await harness.eventually("every bad file rejected", within: .seconds(60)) {
            agentA.names(in: agentA.rejected).filter { $0.hasSuffix(".reason.txt") }.count == cases.count
        }
        for item in cases {
            let rejected = agentA.rejected.appendingPathComponent(item.name)
            #expect(FileManager.default.contents(atPath: rejected.path).map(Array.init) == item.value, "\(item.name) kept as it was")
            let reason = try String(contentsOf: agentA.rejected.appendingPathComponent(item.name + ".reason.txt"), encoding: .utf8)
            #expect(reason.contains(item.expect), "\(item.name): \(reason)")
            if item.sidecar != nil {
                #expect(FileManager.default.fileExists(atPath: rejected.path + ".meta.json"), "\(item.name)'s sidecar kept beside it")
            }
        }
        try await harness.eventually("the good one delivered") { agentB.inboxDocuments()["hop-le-1.txt"] == good }
        try await harness.eventually("the edXML with a BOM and CRLF delivered") { agentB.inboxDocuments().values.contains(bomCRLF) }
        #expect(agentA.names(in: agentA.outbox).isEmpty)

        // HTTP: bad and unknown codes, no recipients, a reused id, a kind that is not one.
        func post(_ headers: [(String, String)], _ body: String = "nội dung") async throws -> (Int, [String: Any]) {
            let (status, bytes) = try await agentA.request("POST", "/v1/documents", body: Array(body.utf8), headers: headers)
            return (status, (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:])
        }
        let malformed = try await post([("dr-to", "000.00.00.G01,abc")])
        #expect(malformed.0 == 400)
        #expect(malformed.1["error"] as? String == "malformed")
        #expect(malformed.1["field"] as? String == "to")
        #expect((malformed.1["message"] as? String)?.contains("'abc'") == true)
        let unknown = try await post([("dr-to", "000.00.00.G99")])
        #expect(unknown.0 == 422)
        #expect(unknown.1["error"] as? String == "recipient")
        let none = try await post([("Content-Type", "text/plain")])
        #expect(none.0 == 400)
        #expect((none.1["message"] as? String)?.isEmpty == false)
        // Unreadable edXML over HTTP: 400 with its reason, whether the body is declared edXML or not.
        let utf16 = try await agentA.request("POST", "/v1/documents", body: try fixture("unreadable-utf16le"), headers: [])
        let utf16Body = (try? JSONSerialization.jsonObject(with: Data(utf16.body)) as? [String: Any]) ?? [:]
        #expect(utf16.status == 400)
        #expect(utf16Body["error"] as? String == "malformed")
        #expect((utf16Body["message"] as? String)?.contains("not readable edXML: UTF-16 is not accepted (little-endian, byte order mark FF FE)") == true, "\(utf16Body)")
        let before = try await agentA.request(
            "POST", "/v1/documents", body: try fixture("unreadable-content-before-declaration"), headers: [("Content-Type", "application/edxml+xml")])
        let beforeBody = (try? JSONSerialization.jsonObject(with: Data(before.body)) as? [String: Any]) ?? [:]
        #expect(before.status == 400)
        #expect((beforeBody["message"] as? String)?.contains(#"declared edXML, but content before the XML declaration at byte 0 ("1212")"#) == true, "\(beforeBody)")
        let kind = try await post([("dr-to", Self.b), ("dr-kind", "ack")])
        #expect(kind.0 == 400)
        #expect(kind.1["field"] as? String == "dr-kind")
        let first = try await post([("dr-to", Self.b), ("dr-id", "http-1"), ("Content-Type", "text/plain; charset=utf-8")], "qua HTTP")
        #expect(first.0 == 201, "\(first.1)")
        #expect(first.1["state"] as? String == "published")
        let reused = try await post([("dr-to", Self.b), ("dr-id", "http-1")], "khác")
        #expect(reused.0 == 409)
        #expect(reused.1["error"] as? String == "duplicate")
        let missing = try await agentA.request("GET", "/v1/documents/khong-co")
        #expect(missing.status == 404)

        // Nothing lost: the good HTTP document arrives, once, and nothing else does.
        try await harness.eventually("the HTTP document delivered") { agentB.inboxDocuments()["http-1.txt"] == Array("qua HTTP".utf8) }
        try await Task.sleep(for: .seconds(2))
        let inbox = agentB.inboxDocuments()
        #expect(inbox.count == 3 && inbox["hop-le-1.txt"] != nil && inbox["http-1.txt"] != nil && inbox.values.contains(bomCRLF), "\(inbox.keys)")
        _ = try await agentA.stop()
        _ = try await agentB.stop()
    }

    @Test("A bad agent configuration names the file, the line, the key and what was expected (exit 2)")
    func badConfiguration() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agency-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("""
            agency: 000.00.00.G22
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: c.pem, key: k.pem }
            receive:
              webhook:
                url: ftp://example
            """.utf8).write(to: file)
        let result = try await runDocRelay(["agent", "--config", file.path, "--check-config"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("\(file.path):7"), "\(result.standardError)")
        #expect(result.standardError.contains("receive.webhook.url"))
        #expect(result.standardError.contains("http:// or https://"))

        try Data("agency: 000.00.00.G22\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\n".utf8)
            .write(to: file)
        let neither = try await runDocRelay(["agent", "--config", file.path, "--check-config"])
        #expect(neither.exitCode == 2)
        #expect(neither.standardError.contains("a sending side (send:) or a receiving side (receive:)"))

        try Data("agency: 000.00.00.G22\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\nsend: { spool: spool }\n".utf8)
            .write(to: file)
        let sendOnly = try await runDocRelay(["agent", "--config", file.path, "--check-config"])
        #expect(sendOnly.exitCode == 2)
        #expect(sendOnly.standardError.contains("key 'receive'"), "\(sendOnly.standardError)")
    }

    @Test("A record in B's in topic that fails the end-to-end check is refused and kept apart; the genuine document with its id is delivered after it")
    func forgedRecordDoesNotBlockTheGenuineOne() async throws {
        let harness = try await RelayHarness(agencies: [Self.a, Self.b], partitions: 1)
        try await harness.startRelay()
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentB.start()
        let genuine = Array("Quyết định thật".utf8)
        var forged = try harness.document(genuine, from: Self.a, to: [Self.b], id: "qd-7")
        forged.topic = harness.topics.inbox(Self.b)
        forged.value = Array("Quyết định giả".utf8)
        let producer = try harness.producer()
        _ = try await producer.send(forged)
        try await harness.eventually("the forged record refused") {
            try await agentB.documentState("qd-7")?["state"] as? String == "refused"
        }
        let refused = try #require(try await agentB.documentState("qd-7"))
        #expect((refused["reason"] as? String)?.hasPrefix("signature:") == true, "\(refused)")
        #expect(agentB.inboxDocuments().isEmpty)

        _ = try await producer.send(try harness.document(genuine, from: Self.a, to: [Self.b], id: "qd-7"))
        await producer.close()
        try await harness.eventually("the genuine one delivered") { agentB.inboxDocuments()["qd-7.txt"] == genuine }
        #expect(try await agentB.documentState("qd-7")?["state"] as? String == "delivered")
        _ = try await agentB.stop()
    }

    @Test("A document the relay cannot deliver: A's state says failed at the recipient, with the relay's reason")
    func failedAtRecipient() async throws {
        let c = "000.00.00.G02"
        let harness = try await RelayHarness(agencies: [Self.a, Self.b, c], withoutInbox: [c], tiers: ["1s", "2s"])
        try await harness.startRelay()
        let agentA = try AgentProcess(code: Self.a, harness: harness, send: true, inbox: true)
        let agentB = try AgentProcess(code: Self.b, harness: harness, send: false, inbox: true)
        try await agentA.start()
        try await agentB.start()
        let (status, _) = try await agentA.request(
            "POST", "/v1/documents", body: Array("Giấy mời".utf8), headers: [("dr-to", "\(Self.b),\(c)"), ("dr-id", "gm-42")])
        #expect(status == 201)
        try await harness.eventually("A knows the outcome for both recipients", within: .seconds(90)) {
            let recipients = try await agentA.documentState("gm-42")?["recipients"] as? [[String: Any]] ?? []
            return recipients.count == 2 && recipients.allSatisfy { $0["transport"] as? String != "pending" }
        }
        let state = try #require(try await agentA.documentState("gm-42"))
        let recipients = try #require(state["recipients"] as? [[String: Any]])
        let toC = try #require(recipients.first { $0["code"] as? String == c })
        #expect(toC["transport"] as? String == "failed")
        #expect((toC["reason"] as? String)?.hasPrefix("exhausted:") == true, "\(toC)")
        #expect(toC["hub"] as? String == "national")
        #expect(recipients.first { $0["code"] as? String == Self.b }?["transport"] as? String == "delivered")
        let summary = try #require(state["summary"] as? String)
        #expect(summary.contains("delivered to \(Self.b)"))
        #expect(summary.contains("failed at \(c): exhausted:"), "\(summary)")
        _ = try await agentA.stop()
        _ = try await agentB.stop()
    }
}

/// The bytes of a fixture of this bundle (an edoc from 000.00.00.G22 to 000.00.00.G01).
private func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "edxml", subdirectory: "Fixtures"))
    return Array(try Data(contentsOf: url))
}

/// `edXML` with an external entity declared after its XML declaration (39 bytes); unchanged
/// (and so not refused as expected) if it starts otherwise.
private func withDTD(_ edXML: [UInt8]) -> [UInt8] {
    let declaration = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
    guard edXML.starts(with: declaration) else { return edXML }
    return declaration + Array("<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>".utf8) + edXML.dropFirst(declaration.count)
}
