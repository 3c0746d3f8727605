@testable import DocRelayAgent
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// An agency H58's agent configuration in a fresh folder, with a development PKI: G22 sends to
/// H58, both on hub `national` (whose Kafka is `bootstrap`). `extra` is added to agency.yaml.
struct AgentFixture {
    let folder: String
    let setup: AgentSetup
    let g22: SigningIdentity
    static let sender = "000.00.00.G22"
    static let recipient = "000.00.00.H58"

    init(
        bootstrap: String = "127.0.0.1:9", agency: String = AgentFixture.recipient, yaml: String = "receive: { inbox: inbox }",
        maxDocumentBytes: Int? = nil, files: [String: String] = [:]
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let start = Date().addingTimeInterval(-86_400)
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(commonName: "Test CA", organization: "DocRelay tests", key: caKey, validFrom: start, validFor: 365 * 86_400)
        func identity(_ code: String) throws -> (SigningIdentity, PrivateKey) {
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: code, organization: "Agency \(code)", subjectKey: key, issuer: ca, issuerKey: caKey, validFrom: start,
                validFor: 30 * 86_400)
            return (try SigningIdentity(certificate: certificate, key: key, chain: []), key)
        }
        let (g22, g22Key) = try identity(Self.sender)
        let (h58, h58Key) = try identity(Self.recipient)
        self.g22 = g22
        let folder = self.folder
        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
        }
        for (name, text) in files {
            try write(text, name)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: (folder as NSString).appendingPathComponent(name))
        }
        try write(ca.pem, "ca.pem")
        try write(g22.certificate.pem, "g22.pem")
        try write(g22Key.pem, "g22.key")
        try write(h58.certificate.pem, "h58.pem")
        try write(h58Key.pem, "h58.key")
        try write("""
            hubs:
              - id: national
                kafka: { bootstrap: "\(bootstrap)" }
            \(maxDocumentBytes.map { "    max-document-bytes: \($0)" } ?? "")
            agencies:
              - code: "\(Self.sender)"
                name: Sender
                hub: national
                certificates:
                  - sha256: "\(g22.certificate.sha256Fingerprint)"
              - code: "\(Self.recipient)"
                name: Recipient
                hub: national
                certificates:
                  - sha256: "\(h58.certificate.sha256Fingerprint)"

            """, "directory.yaml")
        let own = agency == Self.sender ? "g22" : "h58"
        try write("""
            agency: \(agency)
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: \(own).pem, key: \(own).key }
            state: state
            \(yaml)

            """, "agency.yaml")
        setup = try AgentSetup.resolve(AgentConfiguration.load(contentsOf: (folder as NSString).appendingPathComponent("agency.yaml")))
    }

    func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Files in a folder of the fixture, sorted; none when it does not exist.
    func files(_ name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(name))) ?? []).sorted()
    }

    /// `value` signed by G22 for H58, as the records it travels as (segments over 1 MiB).
    func records(
        _ value: [UInt8], id: String? = nil, contentType: String = "application/pdf", topic: String = "docrelay.in.000.00.00.H58",
        firstOffset: Int64 = 0, kind: DocumentKind = .edoc, ref: String? = nil
    ) throws -> [KafkaRecord] {
        let draft = DocumentDraft(id: id, kind: kind, from: Self.sender, to: [Self.recipient], ref: ref, contentType: contentType)
        let signed = try DocumentSigner.sign(value, draft: draft, identity: g22)
        let records = DocumentRecords(signed: signed, size: value.count, segmentation: DocumentSegmentation())
        return records.records.enumerated().map { index, record in
            KafkaRecord(
                topic: topic, partition: 0, offset: firstOffset + Int64(index), key: Array(signed.id.utf8), value: Array(value[record.range]),
                headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
    }

    /// The abort marker a relay sends for a document of `segments` records.
    static func abortMarker(of first: KafkaRecord, count: Int, size: Int, offset: Int64, reason: String) -> KafkaRecord {
        var headers = first.headers.filter { $0.name != HeaderName.segment && $0.name != HeaderName.size }
        headers += DocumentSegment(abortOf: count, documentSize: size).headers.map { KafkaHeader(name: $0.name, value: $0.value) }
        headers.append(KafkaHeader(name: HeaderName.errorClass, string: "malformed"))
        headers.append(KafkaHeader(name: HeaderName.error, string: reason))
        return KafkaRecord(topic: first.topic, partition: first.partition, offset: offset, key: first.key, value: [], headers: headers)
    }
}
