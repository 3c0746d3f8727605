/// Size limits a record must keep to; beyond them it is refused as `oversize`.
public struct EnvelopeLimits: Sendable, Hashable {
    /// `dr-id` and `dr-ref`, in UTF-8 bytes (the contract's 256).
    public var maxIdBytes = 256
    /// The record's value (the document), in bytes. Default 1 MiB.
    public var maxValueBytes = 1_048_576
    /// A document sent in segments (`dr-size`), in bytes: hub.yaml `limits.max-document-bytes`,
    /// default 64 MiB. A record's value stays within `maxValueBytes` either way.
    public var maxDocumentBytes = 67_108_864
    /// Codes in `dr-to`.
    public var maxRecipients = 500
    /// Any header value other than `dr-signature`, known to the contract or not, in bytes.
    public var maxHeaderValueBytes = 16_384
    /// The DER signature `dr-signature` decodes to, in bytes (its base64 text may be 4/3 of it).
    public var maxSignatureBytes = 16_384
    /// All headers together, names and values, in bytes: hub.yaml `limits.max-header-bytes`,
    /// default 64 KiB. Bounds what a record costs to read and what its dead-letter copy needs
    /// (issue 10: ten 120 KB unknown headers wedged the relay's dead-letter writes).
    public var maxHeaderBytes = 65_536

    public init(
        maxIdBytes: Int = 256, maxValueBytes: Int = 1_048_576, maxRecipients: Int = 500,
        maxHeaderValueBytes: Int = 16_384, maxSignatureBytes: Int = 16_384, maxHeaderBytes: Int = 65_536,
        maxDocumentBytes: Int = 67_108_864
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxIdBytes = maxIdBytes
        self.maxValueBytes = maxValueBytes
        self.maxRecipients = maxRecipients
        self.maxHeaderValueBytes = maxHeaderValueBytes
        self.maxSignatureBytes = maxSignatureBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// The longest base64 text of a signature within `maxSignatureBytes`.
    public var maxSignatureTextBytes: Int { (maxSignatureBytes + 2) / 3 * 4 }

    /// The largest record a relay's producer must take to pass on a record within these limits:
    /// a whole value, its headers, and 64 KiB for what relays add; at least Kafka's 1 MiB.
    /// Dead letters are fitted under it (`DeadLetter.record`).
    public var maxRecordBytes: Int { max(maxValueBytes + maxHeaderBytes + 65_536, 1_048_576) }

    /// The longest value a header called `name` may have: the signature's text for
    /// `dr-signature` and `dr-accepted-signature`, `maxHeaderValueBytes` for any other.
    public func maxValueBytes(ofHeader name: String) -> Int {
        name == HeaderName.signature || name == HeaderName.acceptedSignature ? maxSignatureTextBytes : maxHeaderValueBytes
    }
}
