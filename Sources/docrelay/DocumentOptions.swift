import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation

/// The signer's certificate and key.
struct SigningOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The signer's certificate (PEM).", valueName: "file"))
    var cert: String

    @Option(help: ArgumentHelp("The signer's private key (PEM, unencrypted).", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("Intermediate certificates to include (PEM bundle).", valueName: "file"))
    var chain: String?

    @Option(help: "RSA signature scheme: pkcs1 (PKCS#1 v1.5) or pss.")
    var scheme: String = "pkcs1"

    func identity() throws -> SigningIdentity {
        do {
            var identity = try SigningIdentity.load(certificateFile: cert, keyFile: key)
            if let chain {
                identity = try SigningIdentity(
                    certificate: identity.certificate, key: identity.key, chain: try Certificate.load(pemFile: chain))
            }
            return identity
        } catch {
            throw CommandFailure.configuration("option --cert \(cert) / --key \(key): \(error)")
        }
    }

    func signatureScheme() throws -> SignatureScheme {
        switch scheme {
        case "pkcs1": return .rsaPKCS1v15
        case "pss": return .rsaPSS
        default: throw CommandFailure.configuration("option --scheme \(scheme): expected pkcs1 or pss")
        }
    }
}

/// What to say about a document; edXML documents fill these from their own header.
struct DocumentHeaderOptions: ParsableArguments {
    @Option(help: "dr-id (default: the edXML DocumentId, else a new UUID).")
    var id: String?

    @Option(help: "dr-kind: edoc, status or ack (default: from the edXML, else edoc).")
    var kind: String?

    @Option(help: "dr-from: the sender's agency code (default: the edXML From).")
    var from: String?

    @Option(help: "dr-to: recipients' codes, comma-separated (default: the edXML To).")
    var to: String?

    @Option(help: "dr-ref: for a status or ack, the id of the document it is about.")
    var ref: String?

    @Option(help: "dr-content-type (default: application/edxml+xml for edXML, else from the file name).")
    var contentType: String?

    @Option(help: "dr-created, RFC 3339 UTC (default: now).")
    var created: String?

    func draft(fileName: String?) throws -> DocumentDraft {
        var draft = DocumentDraft(id: id, from: from, ref: ref, contentType: contentType, fileName: fileName)
        if let kind {
            guard let parsed = DocumentKind(rawValue: kind) else {
                throw CommandFailure.configuration("option --kind \(kind): expected edoc, status or ack")
            }
            draft.kind = parsed
        }
        if let to { draft.to = to.split(separator: ",").map(String.init) }
        if let created {
            guard let date = try? Date(created, strategy: .iso8601) else {
                throw CommandFailure.configuration("option --created \(created): expected RFC 3339 UTC, e.g. 2026-11-29T01:02:03Z")
            }
            draft.created = date
        }
        return draft
    }
}

/// What a verification trusts: the hub's anchors, CRLs and directory.
struct TrustOptions: ParsableArguments {
    @Option(name: .customLong("ca"), help: ArgumentHelp("Trust anchors (PEM bundle). Repeatable.", valueName: "file"))
    var anchors: [String] = []

    @Option(help: ArgumentHelp("Intermediate certificates (PEM bundle). Repeatable.", valueName: "file"))
    var intermediate: [String] = []

    @Option(help: ArgumentHelp("Certificate revocation lists (PEM). Repeatable.", valueName: "file"))
    var crl: [String] = []

    @Option(help: ArgumentHelp("The directory (YAML): checks the sender's binding and the recipients.", valueName: "file"))
    var directory: String?

    func trustStore() throws -> TrustStore {
        guard !anchors.isEmpty else {
            throw CommandFailure.configuration("option --ca: give at least one trust anchor (PEM)")
        }
        do {
            return try TrustStore(
                anchors: try anchors.flatMap { try Certificate.load(pemFile: $0) },
                intermediates: try intermediate.flatMap { try Certificate.load(pemFile: $0) },
                crls: try crl.flatMap { try CertificateRevocationList.load(pemFile: $0) })
        } catch {
            throw CommandFailure.configuration("options --ca/--intermediate/--crl: \(error)")
        }
    }

    func loadDirectory() throws -> Directory? {
        guard let directory else { return nil }
        do {
            return try Directory.load(contentsOf: directory)
        } catch {
            throw CommandFailure.configuration("\(error)")
        }
    }
}

/// The bytes of a file, or of standard input for `-`.
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" {
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure.configuration("\(path): cannot read the file")
    }
    return Array(data)
}

/// Signed headers as the JSON object `docrelay sign` writes and `verify`/`send` read.
enum HeadersFile {
    static func encode(_ headers: SignedHeaders) -> String {
        let pairs = headers.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }
        let body = pairs.map { "  \(jsonString($0.0)): \(jsonString($0.1))" }.joined(separator: ",\n")
        return "{\n\(body)\n}\n"
    }

    static func decode(_ path: String) throws -> [(name: String, value: [UInt8]?)] {
        let bytes = try readInput(path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw CommandFailure.configuration("\(path): expected a JSON object of header names to strings, as `docrelay sign` writes")
        }
        var headers: [(name: String, value: [UInt8]?)] = []
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let text = value as? String else {
                throw CommandFailure.configuration("\(path): key '\(name)': expected a string")
            }
            headers.append((name, Array(text.utf8)))
        }
        return headers
    }

    static func jsonString(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]),
              let array = String(data: data, encoding: .utf8)
        else { return "\"\"" }
        return String(array.dropFirst().dropLast())
    }
}

/// The largest document a sender may send (contract, "Large documents"): its home hub's
/// `max-document-bytes` in the directory, or the default 64 MiB without one.
struct DocumentLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("directory"),
        help: ArgumentHelp(
            "The directory (YAML): a document may be as large as the sender's home hub's max-document-bytes (default 64 MiB).",
            valueName: "file"))
    var directoryPath: String?

    /// The limits for a document from `sender` (nil: not known yet, the largest any hub allows).
    func limits(sender: String?) throws -> (limits: EnvelopeLimits, source: String) {
        guard let directoryPath else {
            return (EnvelopeLimits(), "the default max-document-bytes; give --directory for the sender's home hub's")
        }
        let directory: Directory
        do {
            directory = try Directory.load(contentsOf: directoryPath)
        } catch {
            throw CommandFailure.configuration("\(error)")
        }
        if let sender, let agency = directory.agency(named: sender), let hub = directory.homeHub(of: agency.code) {
            return (EnvelopeLimits(maxDocumentBytes: hub.maxDocumentBytes), "max-document-bytes of hub \(hub.id), \(sender)'s home hub, in \(directoryPath)")
        }
        let largest = directory.hubs.map(\.maxDocumentBytes).max() ?? Hub.defaultMaxDocumentBytes
        return (EnvelopeLimits(maxDocumentBytes: largest), "the largest max-document-bytes in \(directoryPath)")
    }
}

/// The bytes of a file, or of standard input for `-`, refused unread when the file is over
/// `limit` bytes (`oversize`, naming `source`): a huge file must not fill memory.
func readInput(_ path: String, atMost limit: Int, source: String) throws -> [UInt8] {
    if path != "-", let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > limit {
        throw CommandFailure.configuration("\(path): oversize: \(size.intValue) bytes, over the limit of \(limit) bytes (\(source))")
    }
    let value = try readInput(path)
    guard value.count <= limit else {
        throw CommandFailure.configuration("\(path): oversize: \(value.count) bytes, over the limit of \(limit) bytes (\(source))")
    }
    return value
}

extension DocumentLimitOptions {
    /// Reads the document `file` and the limits of its sender (`--from`, else the edXML's
    /// sender, else the signing certificate's), refusing a document over its home hub's
    /// `max-document-bytes` before anything is signed.
    func read(_ file: String, draft: DocumentDraft) throws -> (value: [UInt8], limits: EnvelopeLimits) {
        var (limits, source) = try limits(sender: draft.from)
        let value = try readInput(file, atMost: limits.maxDocumentBytes, source: source)
        if draft.from == nil, directoryPath != nil, value.count > limits.maxValueBytes,
           let sender = try? DocumentSigner.headers(for: value, draft: draft).from {
            (limits, source) = try self.limits(sender: sender)
            guard value.count <= limits.maxDocumentBytes else {
                throw CommandFailure.configuration(
                    "\(file): oversize: \(value.count) bytes, over the limit of \(limits.maxDocumentBytes) bytes (\(source))")
            }
        }
        return (value, limits)
    }
}
