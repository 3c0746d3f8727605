/// Size limits a record must keep to; beyond them it is refused as `oversize`.
public struct EnvelopeLimits: Sendable, Hashable {
    /// `dr-id` and `dr-ref`, in UTF-8 bytes (the contract's 256).
    public var maxIdBytes = 256
    /// The record's value (the document), in bytes. Default 1 MiB.
    public var maxValueBytes = 1_048_576
    /// Codes in `dr-to`.
    public var maxRecipients = 500
    /// Any header value other than `dr-signature`, in bytes.
    public var maxHeaderValueBytes = 16_384
    /// The DER signature `dr-signature` decodes to, in bytes (its base64 text may be 4/3 of it).
    public var maxSignatureBytes = 16_384

    public init(
        maxIdBytes: Int = 256, maxValueBytes: Int = 1_048_576, maxRecipients: Int = 500,
        maxHeaderValueBytes: Int = 16_384, maxSignatureBytes: Int = 16_384
    ) {
        self.maxIdBytes = maxIdBytes
        self.maxValueBytes = maxValueBytes
        self.maxRecipients = maxRecipients
        self.maxHeaderValueBytes = maxHeaderValueBytes
        self.maxSignatureBytes = maxSignatureBytes
    }

    /// The longest base64 text of a signature within `maxSignatureBytes`.
    var maxSignatureTextBytes: Int { (maxSignatureBytes + 2) / 3 * 4 }
}
