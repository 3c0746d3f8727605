import Foundation
import Yams

extension Directory {
    /// Reads and checks the directory file at `path` (format in the type's documentation and
    /// `docs/directory.md`). Relative `properties-file` paths are resolved against the file's folder.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> Directory {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(path: path, expected: "a directory file at this path: there is none")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(path: path, expected: "a readable directory file (\(error.localizedDescription))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(path: path, expected: "UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Reads and checks a directory from YAML text; `path` names the file in errors and anchors
    /// relative `properties-file` paths.
    public static func parse(_ yaml: String, path: String) throws(ConfigurationError) -> Directory {
        guard let document = try YAMLMapping.document(yaml, path: path) else {
            throw ConfigurationError(path: path, expected: "a mapping with the keys hubs and agencies, not an empty file")
        }
        let top = try YAMLMapping(document, path: path, entry: nil, key: nil, known: ["hubs", "agencies"],
                                 what: "a mapping with the keys hubs and agencies")
        let hubNodes = try top.list("hubs", required: "the list of hubs", what: "a list of hubs") ?? []
        let agencyNodes = try top.list("agencies", required: "the list of agencies (may be empty: [])",
                                       what: "a list of agencies") ?? []
        var source = DirectorySource(path: path, hubs: [], agencies: [], hubsLine: top.line(of: "hubs"))
        var hubs: [Hub] = []
        for (index, node) in hubNodes.enumerated() {
            let (hub, entry) = try readHub(node, index: index, path: path)
            hubs.append(hub)
            source.hubs.append(entry)
        }
        var drafts: [AgencyDraft] = []
        for (index, node) in agencyNodes.enumerated() {
            let (draft, entry) = try readAgency(node, index: index, path: path)
            drafts.append(draft)
            source.agencies.append(entry)
        }
        return try Directory(validating: hubs, drafts: drafts, source: source)
    }

    // MARK: Hubs

    private static func readHub(_ node: Node, index: Int, path: String) throws(ConfigurationError) -> (Hub, DirectorySource.Entry) {
        var fields = try YAMLMapping(
            node, path: path, entry: DirectorySource.label("hubs", index, nil), key: nil,
            known: ["id", "name", "parent", "kafka", "certificates", "max-document-bytes"],
            what: "a hub: a mapping with id, kafka, and optionally name, parent, certificates, max-document-bytes")
        let id = try fields.requiredString("id", required: "the hub's id", what: "a hub id such as national")
        guard isHubID(id) else {
            throw fields.error(try fields.node("id", required: nil), key: "id",
                               "a hub id of 1 to 64 of a-z 0-9 -, not \(quoted(id))")
        }
        fields.entry = DirectorySource.label("hubs", index, id)
        let name = try fields.string("name", required: nil, what: "the hub's name") ?? id
        let parentID = try fields.string("parent", required: nil, what: "the id of the parent hub")
        let kafkaNode = try fields.node("kafka", required: "the hub's Kafka connection (at least bootstrap)")
        guard let kafkaNode else { throw fields.error(nil, key: "kafka", "the hub's Kafka connection") }
        let (connection, kafka) = try HubConnection.read(kafkaNode, path: path, entry: fields.entry, key: "kafka")

        var entry = DirectorySource.Entry(line: node.mark?.line)
        for key in ["id", "name", "parent", "kafka"] { entry.keyLines[key] = fields.line(of: key) }
        for key in ["bootstrap", "properties-file", "properties", "topic-prefix"] {
            entry.keyLines["kafka." + key] = kafka.line(of: key)
        }
        let (fingerprints, subjects) = try readCertificates(fields)
        var maxDocumentBytes = Hub.defaultMaxDocumentBytes
        let documentLimits = 1_048_576...536_870_912
        if let text = try fields.string("max-document-bytes", required: nil, what: "the largest document in bytes") {
            guard let bytes = Int(text), documentLimits.contains(bytes) else {
                throw fields.error(
                    try fields.node("max-document-bytes", required: nil), key: "max-document-bytes",
                    "a number of bytes from \(documentLimits.lowerBound) (1 MiB) to \(documentLimits.upperBound) (512 MiB), not \(quoted(text))")
            }
            maxDocumentBytes = bytes
        }
        entry.keyLines["max-document-bytes"] = fields.line(of: "max-document-bytes")
        let hub = Hub(id: id, name: name, parentID: parentID, connection: connection,
                      certificateFingerprints: fingerprints, certificateSubjects: subjects, maxDocumentBytes: maxDocumentBytes)
        return (hub, entry)
    }


    /// `file` made absolute against the folder of the directory file at `path`.
    public static func resolve(_ file: String, relativeTo path: String) -> String {
        if file.hasPrefix("/") { return URL(fileURLWithPath: file).standardizedFileURL.path }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        return URL(fileURLWithPath: file, relativeTo: folder).standardizedFileURL.path
    }

    // MARK: Agencies

    private static func readAgency(
        _ node: Node, index: Int, path: String
    ) throws(ConfigurationError) -> (AgencyDraft, DirectorySource.Entry) {
        var fields = try YAMLMapping(
            node, path: path, entry: DirectorySource.label("agencies", index, nil), key: nil,
            known: ["code", "name", "hub", "parent", "certificates", "former-codes", "former-names"],
            what: "an agency: a mapping with code, name, and optionally hub, parent, certificates, former-codes, former-names")
        let codeText = try fields.requiredString("code", required: "the agency's code",
                                                 what: "an agency code such as 000.00.00.G22")
        let code: AgencyCode
        do {
            code = try AgencyCode(parsing: codeText)
        } catch {
            throw fields.error(try fields.node("code", required: nil), key: "code",
                               "\(error.expected), not \(quoted(codeText))")
        }
        fields.entry = DirectorySource.label("agencies", index, code.rawValue)
        let name = try fields.requiredString("name", required: "the agency's name", what: "the agency's name")
        let hubID = try fields.string("hub", required: nil, what: "the id of the agency's home hub")
        var parent: AgencyCode?
        if let parentText = try fields.string("parent", required: nil, what: "the code of the parent agency") {
            do {
                parent = try AgencyCode(parsing: parentText)
            } catch {
                throw fields.error(try fields.node("parent", required: nil), key: "parent",
                                   "\(error.expected), not \(quoted(parentText))")
            }
        }
        let (fingerprints, subjects) = try readCertificates(fields)
        var entry = DirectorySource.Entry(line: node.mark?.line)
        for key in ["code", "name", "hub", "parent", "certificates"] { entry.keyLines[key] = fields.line(of: key) }
        let draft = AgencyDraft(code: code, name: name, hubID: hubID, parentOverride: parent,
                                certificateFingerprints: fingerprints, certificateSubjects: subjects,
                                formerCodes: try texts(fields, "former-codes", what: "a code the agency had before"),
                                formerNames: try texts(fields, "former-names", what: "a name the agency had before"))
        return (draft, entry)
    }

    /// An optional list of texts (`former-codes`, `former-names`): the address book's, never
    /// used for routing, so a former code is not parsed as a code.
    private static func texts(_ fields: YAMLMapping, _ key: String, what: String) throws(ConfigurationError) -> [String] {
        var result: [String] = []
        for item in try fields.list(key, required: nil, what: "a list of texts, each \(what)") ?? [] {
            let text = try fields.text(item, key: key, what: what).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw fields.error(item, key: key, "\(what), not an empty text") }
            result.append(text)
        }
        return result
    }

    /// `certificates: [{ sha256: <hex> }, { subject: <RFC 2253>, issuer: <RFC 2253> }]`, for
    /// agencies and hubs. A subject without its issuer is refused: any anchor of the hub could
    /// issue a certificate with that subject.
    static func readCertificates(
        _ fields: YAMLMapping
    ) throws(ConfigurationError) -> (fingerprints: [String], subjects: [SubjectBinding]) {
        var fingerprints: [String] = []
        var subjects: [SubjectBinding] = []
        let certificates = try fields.list(
            "certificates", required: nil,
            what: "a list of certificates, each `sha256: <hex>` or `subject: <RFC 2253>` with `issuer: <RFC 2253>`")
        for item in certificates ?? [] {
            let certificate = try YAMLMapping(
                item, path: fields.path, entry: fields.entry, key: "certificates", keyPrefix: "certificates.",
                known: ["sha256", "subject", "issuer"],
                what: "a certificate: a mapping with sha256, or subject and issuer")
            switch (certificate.has("sha256"), certificate.has("subject") || certificate.has("issuer")) {
            case (true, false):
                let fingerprint = try certificate.requiredString(
                    "sha256", required: "a SHA-256 fingerprint", what: "64 hexadecimal digits")
                guard isFingerprint(fingerprint) else {
                    throw certificate.error(try certificate.node("sha256", required: nil), key: "sha256",
                                            "64 hexadecimal digits (the SHA-256 of the certificate's DER, "
                                            + "without colons), not \(quoted(fingerprint))")
                }
                fingerprints.append(fingerprint.lowercased())
            case (false, true):
                let subject = try certificate.requiredString(
                    "subject", required: "an RFC 2253 subject", what: "an RFC 2253 subject such as CN=…,O=…,C=VN")
                guard !subject.trimmingWhitespace().isEmpty else {
                    throw certificate.error(try certificate.node("subject", required: nil), key: "subject",
                                            "an RFC 2253 subject such as CN=000.00.00.G22,O=…,C=VN, not an empty text")
                }
                guard certificate.has("issuer") else {
                    throw fields.error(item, key: "certificates",
                                       "the issuer with the subject \(quoted(subject.trimmingWhitespace())) (`issuer: <RFC 2253 "
                                       + "subject of the issuing CA>`: a subject alone would bind a certificate of that "
                                       + "subject from any trust anchor), or a sha256 instead")
                }
                let issuer = try certificate.requiredString(
                    "issuer", required: "the RFC 2253 subject of the issuing CA", what: "an RFC 2253 subject such as CN=…,O=…,C=VN")
                guard !issuer.trimmingWhitespace().isEmpty else {
                    throw certificate.error(try certificate.node("issuer", required: nil), key: "issuer",
                                            "the RFC 2253 subject of the issuing CA, not an empty text")
                }
                subjects.append(SubjectBinding(subject: subject, issuer: issuer))
            default:
                throw fields.error(item, key: "certificates",
                                   "each certificate given by exactly one of sha256, or subject with issuer")
            }
        }
        return (fingerprints, subjects)
    }
}
