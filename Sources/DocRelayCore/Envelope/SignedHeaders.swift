public import Foundation

/// The headers an origin signs: what the record is, who sends it to whom, when, and the digest
/// of its value. The signature (`dr-signature`) is a CMS SignedData over `signatureBase`.
///
/// The memberwise initialisers do not check their input; `Envelope.decode` does, and so checks
/// headers built here once they are encoded (`headers`).
public struct SignedHeaders: Sendable, Hashable {
    /// `dr-id`: the document id (edXML DocumentId or a UUID); the record's key.
    public let id: String
    /// `dr-kind`.
    public let kind: DocumentKind
    /// `dr-from`: the sender's agency code, or `hub:<id>` for an ack.
    public let from: String
    /// `dr-to`: the recipients' codes (written comma-separated, no spaces).
    public let to: [String]
    /// `dr-created`, exactly as written: RFC 3339 UTC ending in `Z`.
    public let created: String
    /// `created` as a date.
    public let createdDate: Date
    /// `dr-content-type`: a MIME type `type/subtype`, e.g. `application/edxml+xml`.
    public let contentType: String
    /// `dr-ref`: for a status or an ack, the id of the document it is about; else empty.
    public let ref: String
    /// `dr-sha256`: lowercase hex SHA-256 of the value.
    public let sha256: String
    /// `dr-signature`: base64 of a DER CMS SignedData over `signatureBase`; set it once signed.
    public var signature: String

    public init(
        id: String, kind: DocumentKind, from: String, to: [String], created: String, createdDate: Date,
        contentType: String, ref: String, sha256: String, signature: String
    ) {
        self.id = id
        self.kind = kind
        self.from = from
        self.to = to
        self.created = created
        self.createdDate = createdDate
        self.contentType = contentType
        self.ref = ref
        self.sha256 = sha256
        self.signature = signature
    }

    /// Headers created at `created`, written in RFC 3339 UTC to the second (`…T01:02:03Z`),
    /// with no signature yet.
    public init(
        id: String, kind: DocumentKind, from: String, to: [String], createdAt created: Date,
        contentType: String, ref: String = "", sha256: String, signature: String = ""
    ) {
        let text = RFC3339.format(created)
        self.init(id: id, kind: kind, from: from, to: to, created: text,
                  createdDate: RFC3339.parse(text) ?? created, contentType: contentType, ref: ref,
                  sha256: sha256, signature: signature)
    }

    /// The bytes the origin signs: nine lines, UTF-8, joined by LF, no trailing LF:
    /// `docrelay-v1`, `id:…`, `kind:…`, `from:…`, `to:…`, `created:…`, `content-type:…`, `ref:…`,
    /// `sha256:…`.
    public var signatureBase: [UInt8] {
        let lines = [
            "docrelay-v1",
            "id:" + id,
            "kind:" + kind.rawValue,
            "from:" + from,
            "to:" + to.joined(separator: ","),
            "created:" + created,
            "content-type:" + contentType,
            "ref:" + ref,
            "sha256:" + sha256,
        ]
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// The signed headers in contract order, `dr-id` to `dr-signature` (`dr-ref` present even
    /// when empty).
    public var headers: [(name: String, value: [UInt8])] {
        [
            (HeaderName.id, Array(id.utf8)),
            (HeaderName.kind, Array(kind.rawValue.utf8)),
            (HeaderName.from, Array(from.utf8)),
            (HeaderName.to, Array(to.joined(separator: ",").utf8)),
            (HeaderName.created, Array(created.utf8)),
            (HeaderName.contentType, Array(contentType.utf8)),
            (HeaderName.ref, Array(ref.utf8)),
            (HeaderName.sha256, Array(sha256.utf8)),
            (HeaderName.signature, Array(signature.utf8)),
        ]
    }

    /// The DER bytes of `signature`; throws `malformed` when it is not strict standard base64.
    public func signatureBytes() throws(EnvelopeError) -> [UInt8] {
        guard !signature.isEmpty, let bytes = Base64.decode(signature.utf8) else {
            throw .malformed(HeaderName.signature,
                             "expected standard base64 with padding, not \(quoted(signature))")
        }
        return bytes
    }

    /// Whether the sender is a hub (`hub:<id>`, an ack) rather than an agency.
    public var hubSender: String? {
        from.hasPrefix(Self.hubPrefix) ? String(from.dropFirst(Self.hubPrefix.count)) : nil
    }

    /// The prefix of a hub sender in `dr-from`.
    public static let hubPrefix = "hub:"
}
