/// Where a record's value sits in a document sent in segments (contract, "Large documents"):
/// the headers `dr-segment` (`<index>/<count>`, or `abort/<count>` on the marker a relay sends
/// when it gives up a document it had begun to pass on) and `dr-size` (the whole value's bytes).
///
/// A document of at most `limits.max-value-bytes` travels as one record, without these headers.
/// A larger one, up to `limits.max-document-bytes`, travels as `count` records under one key, in
/// order, each with every signed header of the whole document (its `dr-sha256` is the whole
/// value's) and the value's bytes `[index × s, (index + 1) × s)` for the sender's segment size
/// `s` (every segment but the last the same size; at most `max-value-bytes`).
public struct DocumentSegment: Sendable, Hashable, CustomStringConvertible {
    public enum Mark: Sendable, Hashable {
        /// The segment at this zero-based index.
        case part(Int)
        /// The document is given up: recipients drop what they hold of it.
        case abort
    }

    public let mark: Mark
    /// Segments of the whole document, 2 to `maxCount`.
    public let count: Int
    /// `dr-size`: bytes of the whole value.
    public let documentSize: Int

    /// The most segments one document may have (64 MiB in 1 KiB segments).
    public static let maxCount = 65_536

    public init(index: Int, count: Int, documentSize: Int) {
        self.mark = .part(index)
        self.count = count
        self.documentSize = documentSize
    }

    public init(abortOf count: Int, documentSize: Int) {
        self.mark = .abort
        self.count = count
        self.documentSize = documentSize
    }

    /// The zero-based index of a part; nil for the abort marker.
    public var index: Int? {
        if case .part(let index) = mark { return index }
        return nil
    }

    public var isFirst: Bool { index == 0 }
    public var isLast: Bool { index == count - 1 }
    public var isAbort: Bool { mark == .abort }

    /// `dr-segment`'s text: `3/24` or `abort/24`.
    public var headerValue: String {
        switch mark {
        case .part(let index): "\(index)/\(count)"
        case .abort: "abort/\(count)"
        }
    }

    /// As people read it: `segment 4 of 24` (one-based), `the abort of 24 segments`.
    public var description: String {
        switch mark {
        case .part(let index): "segment \(index + 1) of \(count)"
        case .abort: "the abort marker of \(count) segments"
        }
    }

    /// The headers that carry it: `dr-segment` and `dr-size`.
    public var headers: [(name: String, value: [UInt8])] {
        [(HeaderName.segment, Array(headerValue.utf8)), (HeaderName.size, Array(String(documentSize).utf8))]
    }

    /// Reads `dr-segment` and `dr-size` (both or neither); nil when neither is present.
    /// Throws `malformed` naming the header for any other form, `oversize` for a document over
    /// `maxDocumentBytes`.
    public static func read(segment: String?, size: String?, maxDocumentBytes: Int) throws(EnvelopeError) -> DocumentSegment? {
        guard segment != nil || size != nil else { return nil }
        guard let segment else { throw .malformed(HeaderName.segment, "expected with dr-size, not missing") }
        guard let size else { throw .malformed(HeaderName.size, "expected with dr-segment, not missing") }
        guard let bytes = decimal(size) else {
            throw .malformed(HeaderName.size, "expected the document's size in bytes, not \(quoted(size))")
        }
        guard bytes <= maxDocumentBytes else {
            throw .oversize(HeaderName.size, "expected a document of at most \(maxDocumentBytes) bytes, not \(bytes)")
        }
        let parts = segment.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = decimal(parts[1]), (2...maxCount).contains(count), count <= max(bytes, 2) else {
            throw .malformed(HeaderName.segment, "expected <index>/<count> with 2 to \(maxCount) segments (at most one per byte), not \(quoted(segment))")
        }
        if parts[0] == "abort" { return DocumentSegment(abortOf: count, documentSize: bytes) }
        guard let index = decimal(parts[0]), index < count else {
            throw .malformed(HeaderName.segment, "expected <index>/<count> with an index from 0 to \(count - 1), or abort/<count>, not \(quoted(segment))")
        }
        return DocumentSegment(index: index, count: count, documentSize: bytes)
    }

    private static func decimal<Text: StringProtocol>(_ text: Text) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }
}
