import DocRelayCore
import Foundation
import Testing

/// The error `yaml` is refused with, read as `dir.yaml`.
private func refusal(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let error = #expect(throws: ConfigurationError.self, sourceLocation: sourceLocation) {
        try Directory.parse(yaml, path: "dir.yaml")
    }
    #expect(error?.path == "dir.yaml", sourceLocation: sourceLocation)
    return error?.description
}

/// One national hub, then `agencies`.
private func withAgencies(_ agencies: String) -> String {
    """
    hubs:
      - id: national
        kafka: { bootstrap: "k:9092" }
      - id: h58
        parent: national
        kafka: { bootstrap: "k58:9092" }
    agencies:
    \(agencies)
    """
}

@Suite("Directory: each mistake refused with file, line, entry, key and what was expected")
struct DirectoryErrorTests {
    // MARK: The file as a whole

    @Test("YAML that does not parse names the line")
    func badYAML() {
        #expect(refusal("hubs:\n  - id: national\n    kafka: [\n") ==
            "dir.yaml:4: expected well-formed YAML: did not find expected node content at column 1 while parsing a flow node from line 4")
    }

    @Test("A key given twice in one mapping")
    func duplicateYAMLKey() {
        #expect(refusal("hubs: []\nhubs: []\nagencies: []\n")?.hasPrefix("dir.yaml:1: expected each key once in a mapping, not 'hubs' repeated") == true)
    }

    @Test("An empty file, or one that is not a mapping")
    func notAMapping() {
        #expect(refusal("") == "dir.yaml: expected a mapping with the keys hubs and agencies, not an empty file")
        #expect(refusal("- a\n- b\n") == "dir.yaml:1: expected a mapping with the keys hubs and agencies, not a list")
    }

    @Test("Unknown and missing top-level keys")
    func topLevelKeys() {
        #expect(refusal("hubs: []\nagencies: []\nagency: []\n") ==
            "dir.yaml:3: key 'agency': expected one of the known keys (hubs, agencies): this key is not one")
        #expect(refusal("agencies: []\n") == "dir.yaml:1: key 'hubs': expected the list of hubs (the key is required)")
        #expect(refusal("hubs: national\nagencies: []\n") == "dir.yaml:1: key 'hubs': expected a list of hubs, not 'national'")
        #expect(refusal("hubs: []\nagencies: []\n") == "dir.yaml:1: key 'hubs': expected at least one hub (the root of the tree)")
    }

    // MARK: Hubs

    @Test("A hub entry: not a mapping, an unknown key, a missing or bad id")
    func hubEntries() {
        #expect(refusal("hubs:\n  - national\nagencies: []\n") ==
            "dir.yaml:2: hubs[0]: expected a hub: a mapping with id, kafka, and optionally name, parent, certificates, max-document-bytes, not 'national'")
        #expect(refusal("hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n    parrent: x\nagencies: []\n") ==
            "dir.yaml:4: hubs[0]: key 'parrent': expected one of the known keys (id, name, parent, kafka, certificates, max-document-bytes): this key is not one")
        #expect(refusal("hubs:\n  - name: National\n    kafka: { bootstrap: k:1 }\nagencies: []\n") ==
            "dir.yaml:2: hubs[0]: key 'id': expected the hub's id (the key is required)")
        #expect(refusal("hubs:\n  - id: National Hub\n    kafka: { bootstrap: k:1 }\nagencies: []\n") ==
            "dir.yaml:2: hubs[0]: key 'id': expected a hub id of 1 to 64 of a-z 0-9 -, not 'National Hub'")
        #expect(refusal("hubs:\n  - id: [a]\n    kafka: { bootstrap: k:1 }\nagencies: []\n") ==
            "dir.yaml:2: hubs[0]: key 'id': expected a hub id such as national, not a list")
        #expect(refusal("hubs:\n  - id: national\n    name:\n    kafka: { bootstrap: k:1 }\nagencies: []\n") ==
            "dir.yaml:3: hubs[0] (national): key 'name': expected the hub's name, not nothing (null)")
    }

    @Test("The same hub id twice")
    func duplicateHub() {
        let yaml = "hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n  - id: national\n    kafka: { bootstrap: k:2 }\nagencies: []\n"
        #expect(refusal(yaml) ==
            "dir.yaml:4: hubs[1] (national): key 'id': expected each hub id once, not 'national' again (first declared as hubs[0])")
    }

    @Test("Kafka connections: missing, empty bootstrap, unknown keys, bad properties and prefixes")
    func kafka() {
        #expect(refusal("hubs:\n  - id: national\nagencies: []\n") ==
            "dir.yaml:2: hubs[0] (national): key 'kafka': expected the hub's Kafka connection (at least bootstrap) (the key is required)")
        #expect(refusal("hubs:\n  - id: national\n    kafka: { bootstrap: \"\" }\nagencies: []\n") ==
            "dir.yaml:3: hubs[0] (national): key 'kafka.bootstrap': expected bootstrap servers: host:port, separated by commas or as a list, not an empty server in ''")
        #expect(refusal("hubs:\n  - id: national\n    kafka: { bootstrap: [] }\nagencies: []\n") ==
            "dir.yaml:3: hubs[0] (national): key 'kafka.bootstrap': expected at least one bootstrap server host:port, not an empty list")
        #expect(refusal("hubs:\n  - id: national\n    kafka: { bootstrap: \"a:1,,b:2\" }\nagencies: []\n")?
            .hasSuffix("not an empty server in 'a:1,,b:2'") == true)
        #expect(refusal("hubs:\n  - id: national\n    kafka:\n      bootstrap: a:1\n      tls: true\nagencies: []\n") ==
            "dir.yaml:5: hubs[0] (national): key 'kafka.tls': expected one of the known keys (bootstrap, properties-file, properties, topic-prefix): this key is not one")
        #expect(refusal("hubs:\n  - id: national\n    kafka:\n      bootstrap: a:1\n      properties: { sasl: { username: x } }\nagencies: []\n") ==
            "dir.yaml:5: hubs[0] (national): key 'kafka.properties': expected a text value for property 'sasl', not a mapping")
        #expect(refusal("hubs:\n  - id: national\n    kafka:\n      bootstrap: a:1\n      topic-prefix: doc relay\nagencies: []\n") ==
            "dir.yaml:5: hubs[0] (national): key 'kafka.topic-prefix': expected a topic prefix of 1 to 100 of a-z A-Z 0-9 . _ -, not 'doc relay'")
        #expect(refusal("hubs:\n  - id: national\n    kafka: k:9092\nagencies: []\n") ==
            "dir.yaml:3: hubs[0] (national): key 'kafka': expected a mapping with bootstrap, and optionally properties-file, properties, topic-prefix, not 'k:9092'")
    }

    @Test("A parent hub that is not declared names the declared ones")
    func unknownParentHub() {
        let yaml = "hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n  - id: h58\n    parent: nationa\n    kafka: { bootstrap: k:2 }\nagencies: []\n"
        #expect(refusal(yaml) ==
            "dir.yaml:5: hubs[1] (h58): key 'parent': expected one of the declared hubs (national, h58), not 'nationa'")
    }

    @Test("More than one root")
    func twoRoots() {
        let yaml = "hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n  - id: h58\n    kafka: { bootstrap: k:2 }\nagencies: []\n"
        #expect(refusal(yaml) ==
            "dir.yaml:4: hubs[1] (h58): expected exactly one hub without 'parent' (the root), but 'national' has none either: give this hub a parent")
    }

    @Test("A hub tree that would route in a circle is refused")
    func hubCycle() {
        let yaml = """
        hubs:
          - id: national
            kafka: { bootstrap: k:1 }
          - id: a
            parent: b
            kafka: { bootstrap: k:2 }
          - id: b
            parent: a
            kafka: { bootstrap: k:3 }
        agencies: []
        """
        #expect(refusal(yaml) ==
            "dir.yaml:5: hubs[1] (a): key 'parent': expected a hub tree without cycles (a directory that would route in a circle is refused), not a → b → a")
        let selfParent = "hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n  - id: a\n    parent: a\n    kafka: { bootstrap: k:2 }\nagencies: []\n"
        #expect(refusal(selfParent)?.hasSuffix("not a → a") == true)
        let noRoot = "hubs:\n  - id: a\n    parent: b\n    kafka: { bootstrap: k:2 }\n  - id: b\n    parent: a\n    kafka: { bootstrap: k:3 }\nagencies: []\n"
        #expect(refusal(noRoot)?.hasPrefix("dir.yaml:3: hubs[0] (a): key 'parent': expected a hub tree without cycles") == true)
    }

    // MARK: Agencies

    @Test("An agency's home hub must be declared (the contract's example)")
    func unknownHub() {
        let yaml = withAgencies("""
          - code: "000.00.00.G22"
            name: Văn phòng Chính phủ
            hub: h99
        """)
        #expect(refusal(yaml) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'hub': expected one of the declared hubs (national, h58), not 'h99'")
    }

    @Test("Codes: missing, malformed, twice")
    func codes() {
        #expect(refusal(withAgencies("  - name: X\n    hub: national")) ==
            "dir.yaml:8: agencies[0]: key 'code': expected the agency's code (the key is required)")
        #expect(refusal(withAgencies("  - code: 000.00.00.g22\n    name: X")) ==
            "dir.yaml:8: agencies[0]: key 'code': expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, not '000.00.00.g22'")
        #expect(refusal(withAgencies("  - code: Test Unit\n    name: X"))?.hasPrefix(
            "dir.yaml:8: agencies[0]: key 'code': expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, or an identifier such as vxp.saas.03") == true)
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n  - code: 000.00.00.G22\n    name: Y")) ==
            "dir.yaml:10: agencies[1] (000.00.00.G22): key 'code': expected each agency code once, not '000.00.00.G22' again (first declared as agencies[0])")
    }

    @Test("Names are required and must be text")
    func names() {
        #expect(refusal(withAgencies("  - code: 000.00.00.G22")) ==
            "dir.yaml:8: agencies[0] (000.00.00.G22): key 'name': expected the agency's name (the key is required)")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: { vi: X }")) ==
            "dir.yaml:9: agencies[0] (000.00.00.G22): key 'name': expected the agency's name, not a mapping")
    }

    @Test("A code that is not QCVN needs its hub and its parent")
    func nonQCVN() {
        #expect(refusal(withAgencies("  - code: vxp.saas.03\n    name: Test unit\n    parent: \"000.00.00.G22\"\n  - code: 000.00.00.G22\n    name: X")) ==
            "dir.yaml:8: agencies[0] (vxp.saas.03): key 'hub': expected the agency's home hub: a code that is not QCVN 102:2016 is accepted only with its hub and parent")
        #expect(refusal(withAgencies("  - code: vxp.saas.03\n    name: Test unit\n    hub: h58")) ==
            "dir.yaml:8: agencies[0] (vxp.saas.03): key 'parent': expected the agency's parent code: a code that is not QCVN 102:2016 is accepted only with its hub and parent")
    }

    @Test("Parents: undeclared, the agency itself, or a cycle")
    func parents() {
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    parent: \"000.00.00.H58\"")) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'parent': expected the code of an agency declared in the directory, not '000.00.00.H58'")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    parent: \"000.00.00.G22\"")) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'parent': expected a parent other than the agency itself")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    parent: nonsense code")) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'parent': expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, or an identifier such as vxp.saas.03 (1 to 64 of a-z 0-9 . _ -, starting and ending with a letter or digit), not 'nonsense code'")
        let cycle = withAgencies("""
          - code: "000.00.00.G22"
            name: A
            parent: "000.00.00.H58"
          - code: "000.00.00.H58"
            name: B
            parent: "000.00.01.G22"
          - code: "000.00.01.G22"
            name: C
        """)
        // 000.00.01.G22's default parent is 000.00.00.G22: G22 → H58 → 01.G22 → G22.
        #expect(refusal(cycle) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'parent': expected agency parents without cycles, not 000.00.00.G22 → 000.00.00.H58 → 000.00.01.G22 → 000.00.00.G22")
    }

    @Test("Certificates: fingerprints of 64 hex digits, one of sha256 or subject with issuer per entry")
    func certificates() {
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - sha256: AB:CD")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates.sha256': expected 64 hexadecimal digits (the SHA-256 of the certificate's DER, without colons), not 'AB:CD'")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - sha256: \(String(repeating: "g", count: 64))"))?
            .contains("key 'certificates.sha256': expected 64 hexadecimal digits") == true)
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - { sha256: \(String(repeating: "a", count: 64)), subject: CN=x }")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates': expected each certificate given by exactly one of sha256, or subject with issuer")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - issuer: CN=x")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates.subject': expected an RFC 2253 subject (the key is required)")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - kind: CN=x")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates.kind': expected one of the known keys (sha256, subject, issuer): this key is not one")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates: abc")) ==
            "dir.yaml:10: agencies[0] (000.00.00.G22): key 'certificates': expected a list of certificates, each `sha256: <hex>` or `subject: <RFC 2253>` with `issuer: <RFC 2253>`, not 'abc'")
        // Issue 11: a subject alone would bind a certificate of that subject from any anchor of the hub.
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - subject: CN=000.00.00.G22,O=X,C=VN")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates': expected the issuer with the subject 'CN=000.00.00.G22,O=X,C=VN' (`issuer: <RFC 2253 subject of the issuing CA>`: a subject alone would bind a certificate of that subject from any trust anchor), or a sha256 instead")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - { subject: CN=x, issuer: \" \" }")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates.issuer': expected the RFC 2253 subject of the issuing CA, not an empty text")
        #expect(refusal(withAgencies("  - code: 000.00.00.G22\n    name: X\n    certificates:\n      - subject: \"  \"")) ==
            "dir.yaml:11: agencies[0] (000.00.00.G22): key 'certificates.subject': expected an RFC 2253 subject such as CN=000.00.00.G22,O=…,C=VN, not an empty text")
    }

    // MARK: Files

    @Test("A missing file, and one that is not UTF-8")
    func files() throws {
        let missing = #expect(throws: ConfigurationError.self) { try Directory.load(contentsOf: "/nonexistent/dir.yaml") }
        #expect(missing?.description == "/nonexistent/dir.yaml: expected a directory file at this path: there is none")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("latin1.yaml")
        try Data([0x68, 0x75, 0x62, 0x73, 0x3A, 0x20, 0xE9, 0x0A]).write(to: file)
        let notUTF8 = #expect(throws: ConfigurationError.self) { try Directory.load(contentsOf: file.path) }
        #expect(notUTF8?.description == "\(file.path): expected UTF-8 text")
    }

    @Test("Errors carry where in DocRelay they were raised")
    func sourceLocation() {
        let error = #expect(throws: ConfigurationError.self) { try Directory.parse("", path: "d.yaml") }
        #expect(error?.sourceFile.hasPrefix("DocRelayCore/") == true)
        #expect((error?.sourceLine ?? 0) > 0)
        #expect(error?.line == nil)
        #expect(error?.entry == nil)
        #expect(error?.key == nil)
    }
}

@Suite("Directory: a hub's max-document-bytes (issue 13)")
struct DirectoryDocumentLimitTests {
    @Test("Default 64 MiB; a number from 1 MiB to 512 MiB is taken; anything else names the key and the range")
    func limits() throws {
        let base = "hubs:\n  - id: national\n    kafka: { bootstrap: k:1 }\n"
        #expect(try Directory.parse(base + "agencies: []\n", path: "dir.yaml").hubs.first?.maxDocumentBytes == 67_108_864)
        let set = try Directory.parse(base + "    max-document-bytes: 16777216\nagencies: []\n", path: "dir.yaml")
        #expect(set.hubs.first?.maxDocumentBytes == 16_777_216)
        for bad in ["1000", "600000000", "lots"] {
            let message = refusal(base + "    max-document-bytes: \(bad)\nagencies: []\n")
            #expect(message?.hasSuffix("key 'max-document-bytes': expected a number of bytes from 1048576 (1 MiB) to 536870912 (512 MiB), not '\(bad)'") == true, "\(message ?? "")")
        }
    }
}
