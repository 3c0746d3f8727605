public import DocRelayCore
public import Foundation

/// What the author of a document says about it before signing; the rest is filled in by
/// `DocumentSigner` (from the edXML header, for edXML documents).
public struct DocumentDraft: Sendable {
    /// `dr-id`; default: the edXML DocumentId, else a new UUID.
    public var id: String?
    /// `dr-kind`; default: `status` for an edXML status, else `edoc`.
    public var kind: DocumentKind?
    /// `dr-from`; default: the edXML From/OrganId.
    public var from: String?
    /// `dr-to`; default: every edXML To/OrganId.
    public var to: [String]?
    /// `dr-ref`; default: for an edXML status, the DocumentId it responds for.
    public var ref: String?
    /// `dr-content-type`; default: `application/edxml+xml` for edXML, else from the file name.
    public var contentType: String?
    /// `dr-created`; default: now.
    public var created: Date?
    /// The file name, to guess a content type.
    public var fileName: String?

    public init(
        id: String? = nil, kind: DocumentKind? = nil, from: String? = nil, to: [String]? = nil,
        ref: String? = nil, contentType: String? = nil, created: Date? = nil, fileName: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.from = from
        self.to = to
        self.ref = ref
        self.contentType = contentType
        self.created = created
        self.fileName = fileName
    }
}
