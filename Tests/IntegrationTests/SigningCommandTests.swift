import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// `docrelay pki`, `sign`, `verify` and `send`, and interoperability with the openssl command line.
@Suite("Signing from the command line, with openssl both ways")
struct SigningCommandTests {
    let openssl: String
    let folder: URL

    init() async throws {
        openssl = try #require(which("openssl"), "openssl is required")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-pki-\(UUID().uuidString)")
        let result = try await runDocRelay(["pki", "init", "--out", folder.path])
        try #require(result.exitCode == 0, "\(result.standardError)")
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func write(_ text: String, _ name: String) throws -> String {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        return path(name)
    }

    @Test("A record signed with the openssl command line as the contract shows verifies with `docrelay verify`")
    func opensslSignsDocRelayVerifies() async throws {
        let value = "Quyết định số 15/QĐ-UBND về việc ..."
        let document = try write(value, "document.txt")
        let sha256 = try await run(openssl, ["dgst", "-sha256", "-r", document]).standardOutput.split(separator: " ")[0]
        let created = Date().formatted(.iso8601)
        let base = [
            "docrelay-v1", "id:doc-openssl-1", "kind:edoc", "from:000.00.00.H58", "to:000.00.32.H53",
            "created:\(created)", "content-type:text/plain", "ref:", "sha256:\(sha256)",
        ].joined(separator: "\n")
        let signature = try await run("/bin/sh", ["-c", """
            printf '%s' "$BASE" | \(openssl) cms -sign -binary -outform DER -signer "$CERT" -inkey "$KEY" -md sha256 | base64 -w0
            """], environment: ["BASE": base, "CERT": path("agencies/000.00.00.H58.pem"), "KEY": path("agencies/000.00.00.H58.key")])
        #expect(signature.exitCode == 0, "\(signature.standardError)")
        let headers = try write("""
            {"dr-id": "doc-openssl-1", "dr-kind": "edoc", "dr-from": "000.00.00.H58", "dr-to": "000.00.32.H53",
             "dr-created": "\(created)", "dr-content-type": "text/plain", "dr-ref": "",
             "dr-sha256": "\(sha256)", "dr-signature": "\(signature.standardOutput)"}
            """, "openssl-headers.json")
        for flag in [[], ["--openssl"]] {
            let verified = try await runDocRelay(
                ["verify", document, "--headers", headers, "--ca", path("ca.pem"), "--directory", path("directory.yaml")] + flag)
            #expect(verified.exitCode == 0, "\(verified.standardOutput) \(verified.standardError)")
            #expect(verified.standardOutput.contains("valid: edoc doc-openssl-1 from 000.00.00.H58"))
        }
        // The same signature over a changed value: refused, with its class.
        let tampered = try write(value + ".", "tampered.txt")
        let refused = try await runDocRelay(
            ["verify", tampered, "--headers", headers, "--ca", path("ca.pem"), "--directory", path("directory.yaml"), "--json"])
        #expect(refused.exitCode == 1)
        #expect(refused.standardOutput.contains("\"class\":\"signature\""))
        #expect(refused.standardOutput.contains("\"authenticSender\":\"000.00.00.H58\""))
    }

    @Test("A record signed by `docrelay sign` verifies with `openssl cms -verify`")
    func docRelaySignsOpenSSLVerifies() async throws {
        let document = try write("Công văn gửi Sở Nội vụ", "letter.txt")
        let common = [document, "--cert", path("agencies/000.00.00.G22.pem"), "--key", path("agencies/000.00.00.G22.key"),
                      "--from", "000.00.00.G22", "--to", "000.00.00.H58,000.00.32.H53", "--created", Date().formatted(.iso8601),
                      "--id", "doc-docrelay-1"]
        let signed = try await runDocRelay(["sign"] + common)
        #expect(signed.exitCode == 0, "\(signed.standardError)")
        let baseResult = try await runDocRelay(["sign", "--print-base"] + common)
        let base = try write(baseResult.standardOutput, "base.txt")
        #expect(baseResult.standardOutput.hasPrefix("docrelay-v1\nid:doc-docrelay-1\nkind:edoc\nfrom:000.00.00.G22\n"))
        #expect(!baseResult.standardOutput.hasSuffix("\n"))

        let headers = try #require(try JSONSerialization.jsonObject(with: Data(signed.standardOutput.utf8)) as? [String: String])
        let signatureText = try #require(headers["dr-signature"])
        let der = try #require(Data(base64Encoded: signatureText))
        try der.write(to: folder.appendingPathComponent("signature.der"))
        let verified = try await run(openssl, [
            "cms", "-verify", "-binary", "-inform", "DER", "-in", path("signature.der"), "-content", base,
            "-CAfile", path("ca.pem"), "-purpose", "any", "-out", "/dev/null",
        ])
        #expect(verified.exitCode == 0, "\(verified.standardError)")
        let tamperedBase = try write(baseResult.standardOutput.replacingOccurrences(of: "000.00.32.H53", with: "000.00.00.H53"), "tampered-base.txt")
        let refused = try await run(openssl, [
            "cms", "-verify", "-binary", "-inform", "DER", "-in", path("signature.der"), "-content", tamperedBase,
            "-CAfile", path("ca.pem"), "-purpose", "any", "-out", "/dev/null",
        ])
        #expect(refused.exitCode != 0)
    }

    @Test("An edXML file signs with its own From, To and DocumentId; a mismatching --to is refused at signing")
    func edXMLDefaults() async throws {
        let fixture = try #require(Bundle.module.url(forResource: "status-01-received", withExtension: "edxml", subdirectory: "Fixtures"))
        let status = path("status.edxml")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: status)
        // The status is from H41: issue its certificate first.
        let issued = try await runDocRelay(["pki", "issue", "--ca", folder.path, "--code", "000.00.00.H41", "--out", path("extra")])
        #expect(issued.exitCode == 0, "\(issued.standardError)")
        let signed = try await runDocRelay(["sign", status, "--cert", path("extra/000.00.00.H41.pem"), "--key", path("extra/000.00.00.H41.key")])
        #expect(signed.exitCode == 0, "\(signed.standardError)")
        let headers = try #require(try JSONSerialization.jsonObject(with: Data(signed.standardOutput.utf8)) as? [String: String])
        #expect(headers["dr-kind"] == "status")
        #expect(headers["dr-from"] == "000.00.00.H41")
        #expect(headers["dr-to"] == "000.00.00.G22")
        #expect(headers["dr-ref"] == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
        #expect(headers["dr-content-type"] == "application/edxml+xml")
    }

    @Test("edXML declaring a DTD: `sign` refuses it (exit 2), `verify` of one signed by openssl rejects it as malformed (exit 1)")
    func edXMLWithDTD() async throws {
        let edXML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE edXML [<!ENTITY sender "000.00.00.H58">]>
            <edXML><edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>&sender;</OrganId></From>\
            <To><OrganId>000.00.32.H53</OrganId></To><DocumentId>dtd-1</DocumentId></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>
            """
        let document = try write(edXML, "dtd.edxml")
        let key = ["--cert", path("agencies/000.00.00.H58.pem"), "--key", path("agencies/000.00.00.H58.key")]
        let signing = try await runDocRelay(["sign", document] + key)
        #expect(signing.exitCode == 2, "\(signing.standardOutput)")
        #expect(signing.standardError.contains("edXML must not declare a DTD (<!DOCTYPE found at byte 39)"), "\(signing.standardError)")
        let declared = try await runDocRelay(["sign", document, "--content-type", "application/edxml+xml"] + key)
        #expect(declared.exitCode == 2)
        #expect(declared.standardError.contains("declared edXML, but edXML must not declare a DTD"), "\(declared.standardError)")

        // Signed by other software, as the contract allows: the relay's checks refuse it.
        let headers = try await opensslSignedEdXML(document, id: "dtd-1", from: "000.00.00.H58", to: "000.00.32.H53")
        let verified = try await runDocRelay(
            ["verify", document, "--headers", headers, "--ca", path("ca.pem"), "--directory", path("directory.yaml")])
        #expect(verified.exitCode == 1, "\(verified.standardOutput) \(verified.standardError)")
        #expect(verified.standardOutput == "rejected (malformed): edXML: edXML must not declare a DTD (<!DOCTYPE found at byte 39)\n")
    }

    /// Headers of `document` signed with the openssl command line as `application/edxml+xml`
    /// by `from`'s development key (what other software may do), written to a JSON file.
    private func opensslSignedEdXML(_ document: String, id: String, from: String, to: String) async throws -> String {
        let sha256 = try await run(openssl, ["dgst", "-sha256", "-r", document]).standardOutput.split(separator: " ")[0]
        let created = Date().formatted(.iso8601)
        let base = [
            "docrelay-v1", "id:\(id)", "kind:edoc", "from:\(from)", "to:\(to)",
            "created:\(created)", "content-type:application/edxml+xml", "ref:", "sha256:\(sha256)",
        ].joined(separator: "\n")
        let signature = try await run("/bin/sh", ["-c", """
            printf '%s' "$BASE" | \(openssl) cms -sign -binary -outform DER -signer "$CERT" -inkey "$KEY" -md sha256 | base64 -w0
            """], environment: ["BASE": base, "CERT": path("agencies/\(from).pem"), "KEY": path("agencies/\(from).key")])
        #expect(signature.exitCode == 0, "\(signature.standardError)")
        return try write("""
            {"dr-id": "\(id)", "dr-kind": "edoc", "dr-from": "\(from)", "dr-to": "\(to)",
             "dr-created": "\(created)", "dr-content-type": "application/edxml+xml", "dr-ref": "",
             "dr-sha256": "\(sha256)", "dr-signature": "\(signature.standardOutput)"}
            """, "\(id)-headers.json")
    }

    /// A fixture of this bundle copied into the PKI folder as `name` (an edoc from G22 to G01).
    private func fixture(_ fixture: String, as name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: fixture, withExtension: "edxml", subdirectory: "Fixtures"))
        try? FileManager.default.removeItem(atPath: path(name))
        try FileManager.default.copyItem(atPath: url.path, toPath: path(name))
        return path(name)
    }

    /// edXML as real software wrote it that cannot be read, and the reason each gets (issue 12, point 4).
    static let unreadable: [(fixture: String, reason: String)] = [
        ("unreadable-content-before-declaration", #"content before the XML declaration at byte 0 ("1212")"#),
        ("unreadable-utf16-declared-over-utf8", #"declared encoding "utf-16" disagrees with the bytes (UTF-8)"#),
        ("unreadable-utf16le", "UTF-16 is not accepted (little-endian, byte order mark FF FE)"),
        ("unreadable-utf16be", "UTF-16 is not accepted (big-endian, byte order mark FE FF)"),
    ]

    @Test("Unreadable edXML: `sign` (with --from/--to or not, as .edxml, .xml or standard input) and `send` exit 2 with its reason and print no headers")
    func unreadableEdXML() async throws {
        let key = ["--cert", path("agencies/000.00.00.G22.pem"), "--key", path("agencies/000.00.00.G22.key")]
        let parties = ["--from", "000.00.00.G22", "--to", "000.00.00.G01"]
        for item in Self.unreadable {
            for name in ["\(item.fixture).edxml", "\(item.fixture).xml"] {
                let document = try fixture(item.fixture, as: name)
                for extra in [[], parties] {
                    let signed = try await runDocRelay(["sign", document] + key + extra)
                    #expect(signed.exitCode == 2, "\(name) \(extra): \(signed.standardOutput)")
                    #expect(signed.standardOutput.isEmpty, "\(name): no headers")
                    #expect(signed.standardError.contains("dr-content-type: not readable edXML: \(item.reason)"), "\(name): \(signed.standardError)")
                }
            }
            // No name: taken for edXML by its content alone.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path("\(item.fixture).edxml")))
            let piped = try await run(DocRelayBinary.path, ["sign", "-"] + key + parties, input: bytes)
            #expect(piped.exitCode == 2, "\(item.fixture) from standard input: \(piped.standardOutput)")
            #expect(piped.standardOutput.isEmpty)
            #expect(piped.standardError.contains("not readable edXML: \(item.reason)"), "\(piped.standardError)")
            // Declared edXML: the same reason.
            let declared = try await runDocRelay(["sign", path("\(item.fixture).edxml"), "--content-type", "application/edxml+xml"] + key + parties)
            #expect(declared.exitCode == 2)
            #expect(declared.standardError.contains("declared edXML, but \(item.reason)"), "\(declared.standardError)")
            // send refuses before it connects anywhere.
            let sent = try await runDocRelay(
                ["send", path("\(item.fixture).edxml"), "--bootstrap-servers", "127.0.0.1:9"] + key + parties)
            #expect(sent.exitCode == 2, "\(sent.standardOutput)")
            #expect(sent.standardError.contains("not readable edXML: \(item.reason)"), "\(sent.standardError)")
        }
    }

    @Test("Unreadable edXML signed by other software: `verify` rejects it as malformed with its reason (exit 1)")
    func verifyUnreadableEdXML() async throws {
        for (index, item) in Self.unreadable.enumerated() {
            let document = try fixture(item.fixture, as: "\(item.fixture).edxml")
            let headers = try await opensslSignedEdXML(document, id: "unreadable-\(index)", from: "000.00.00.G22", to: "000.00.00.G01")
            // No --directory: G01 is not in the sample one, and the edXML check comes after the recipients'.
            let verified = try await runDocRelay(["verify", document, "--headers", headers, "--ca", path("ca.pem")])
            #expect(verified.exitCode == 1, "\(verified.standardOutput) \(verified.standardError)")
            #expect(verified.standardOutput.hasPrefix("rejected (malformed): edXML: \(item.reason)"), "\(verified.standardOutput)")
        }
    }

    @Test("edXML with a UTF-8 byte order mark and CRLF line ends signs as edXML, from its own header")
    func bomAndCRLF() async throws {
        let document = try fixture("readable-bom-crlf", as: "bom-crlf.edxml")
        let signed = try await runDocRelay(["sign", document, "--cert", path("agencies/000.00.00.G22.pem"), "--key", path("agencies/000.00.00.G22.key")])
        #expect(signed.exitCode == 0, "\(signed.standardError)")
        let headers = try #require(try JSONSerialization.jsonObject(with: Data(signed.standardOutput.utf8)) as? [String: String])
        #expect(headers["dr-content-type"] == "application/edxml+xml")
        #expect(headers["dr-id"] == "000.00.00.G22,2026/11/30,5/VPCP-TTĐT")
        #expect(headers["dr-from"] == "000.00.00.G22")
        #expect(headers["dr-to"] == "000.00.00.G01")
    }

    @Test("`pki init --agency CODE@HUB[=NAME]^PARENT` declares a unit that is not QCVN; without its parent: exit 2 and nothing written")
    func nonQCVNAgency() async throws {
        let saas = folder.appendingPathComponent("saas")
        let made = try await runDocRelay([
            "pki", "init", "--out", saas.path, "--hub", "national",
            "--agency", "000.00.00.G22@national", "--agency", "vxp.saas.03@national=Đơn vị thử nghiệm^000.00.00.G22",
            "--agency", "vxp.saas.04@national^vxp.saas.03=Đơn vị thứ hai",
        ])
        #expect(made.exitCode == 0, "\(made.standardError)")
        let directory = try Directory.load(contentsOf: saas.appendingPathComponent("directory.yaml").path)
        let unit = try #require(directory.agency(named: "vxp.saas.03"))
        #expect(unit.name == "Đơn vị thử nghiệm")
        #expect(unit.hubID == "national")
        #expect(directory.parent(of: unit.code)?.rawValue == "000.00.00.G22")
        let second = try #require(directory.agency(named: "vxp.saas.04"))
        #expect(second.name == "Đơn vị thứ hai")
        #expect(directory.parent(of: second.code)?.rawValue == "vxp.saas.03")
        #expect(FileManager.default.fileExists(atPath: saas.appendingPathComponent("agencies/vxp.saas.03.pem").path))
        // The binary loads it too: provision plans the unit's topics.
        let plan = try await runDocRelay(["provision", "--directory", saas.appendingPathComponent("directory.yaml").path, "--dry-run"])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("docrelay.in.vxp.saas.03"))

        // Without a parent, an unknown hub or parent, or a directory that would not load: exit 2, nothing written.
        let refusals: [(options: [String], expect: [String])] = [
            (["--agency", "000.00.00.G22@national", "--agency", "vxp.saas.03@national"],
             ["option --agency vxp.saas.03@national", "not a QCVN 102:2016 code", "vxp.saas.03@national^PARENT"]),
            (["--agency", "vxp.saas.03@h99^000.00.00.G22", "--agency", "000.00.00.G22@national"],
             ["option --agency vxp.saas.03@h99^000.00.00.G22", "not 'h99'"]),
            (["--agency", "vxp.saas.03@national^000.00.00.G99"], ["^PARENT to name another --agency", "not '000.00.00.G99'"]),
            (["--agency", "vxp.saas.03@national^vxp.saas.04", "--agency", "vxp.saas.04@national^vxp.saas.03"],
             ["would not load, so nothing was written", "key 'parent'"]),
        ]
        for (index, refusal) in refusals.enumerated() {
            let out = folder.appendingPathComponent("refused-\(index)")
            let result = try await runDocRelay(["pki", "init", "--out", out.path, "--hub", "national"] + refusal.options)
            #expect(result.exitCode == 2, "\(refusal.options): \(result.standardOutput)")
            for text in refusal.expect { #expect(result.standardError.contains(text), "\(refusal.options): \(result.standardError)") }
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("directory.yaml").path))
            #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written for \(refusal.options)")
        }
    }

    @Test("`docrelay send` publishes to docrelay.out.<from>, keyed by dr-id, with headers that verify")
    func send() async throws {
        let broker = try await BrokerProcess.start(topics: ["docrelay.out.000.00.00.G22:2"])
        let document = try write("Thông báo kết luận cuộc họp", "notice.txt")
        let sent = try await runDocRelay([
            "send", document, "--cert", path("agencies/000.00.00.G22.pem"), "--key", path("agencies/000.00.00.G22.key"),
            "--to", "000.00.00.H58", "--id", "doc-send-1", "--bootstrap-servers", broker.bootstrap,
        ])
        #expect(sent.exitCode == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("docrelay.out.000.00.00.G22["))

        let consumer = try KafkaConsumer(settings: consumerSettings(bootstrap: broker.bootstrap), logger: testLogger)
        try consumer.subscribe(topics: ["docrelay.out.000.00.00.G22"])
        let record = try #require(try await consumer.take(1).first)
        await consumer.close()
        _ = try await broker.stop()
        #expect(record.key == Array("doc-send-1".utf8))
        #expect(record.value == Array("Thông báo kết luận cuộc họp".utf8))
        let headers = "{" + record.headers.map { "\"\($0.name)\": \"\($0.stringValue ?? "")\"" }.joined(separator: ",") + "}"
        let headersFile = try write(headers, "received.json")
        let verified = try await runDocRelay(
            ["verify", document, "--headers", headersFile, "--ca", path("ca.pem"), "--directory", path("directory.yaml")])
        #expect(verified.exitCode == 0, "\(verified.standardOutput) \(verified.standardError)")
    }
}
