import DocRelayCore
import DocRelayDocuments
import DocRelayKafka

extension DeadLetter {
    /// Why this dead letter cannot be replayed, or nil when it can. What it holds is not the
    /// document its sender signed, so a replay would only be refused again, as `signature`,
    /// and blamed on the sender:
    ///
    /// - its value was cut when it was dead-lettered (over `limits.max-value-bytes`, or a
    ///   minimal dead letter): `dr-value-size`/`dr-value-sha256` name the original, which the
    ///   hub no longer holds (`isTruncated`);
    /// - its value's SHA-256 is not the signed `dr-sha256` (altered or cut before it reached
    ///   the hub): it is not the document that was signed.
    ///
    /// - it is a large document's (`dr-segment`, contract "Large documents"): the hub kept its
    ///   headers, not the document, which passed in segments.
    ///
    /// `--force` does not change this: no replay can deliver a document that is gone.
    public var replayRefusal: String? {
        if let segment = originalHeaders.string(named: HeaderName.segment) {
            let size = originalHeaders.string(named: HeaderName.size).map { " of \($0) bytes" } ?? ""
            return "a document sent in segments (\(segment)\(size)): the hub keeps its headers, not the document; ask the sender to send it again"
        }
        if isTruncated {
            let original = valueSize.map { "\($0) bytes" } ?? "its original size"
            return "the value was cut to \(value.count) of \(original) when it was dead-lettered: "
                + "the document itself is gone; ask the sender to send it again"
        }
        if let signed = originalHeaders.string(named: HeaderName.sha256) {
            let digest = SHA256Hex.of(value)
            if digest != signed {
                return "the value is not the one signed (its SHA-256 is \(digest), dr-sha256 says \(signed)): "
                    + "replayed, it would be refused again; ask the sender to send it again"
            }
        }
        return nil
    }
}
