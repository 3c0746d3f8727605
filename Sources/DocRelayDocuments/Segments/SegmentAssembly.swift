public import DocRelayCore
public import DocRelaySigning

/// One document sent in segments, as a reader takes them in order (contract, "Large
/// documents"): what to do with each next segment, the running SHA-256 and size of what was
/// taken, and, after the last, whether the whole value is the one signed. Holds no bytes: the
/// caller writes each segment on (a relay to the next topic, an agent to a file) once `take`
/// accepts it.
///
/// The rules: segments come in order under one key (one partition), so the next one must be the
/// expected index; index 0 again starts the document over (the sender or a hub began again);
/// an index already taken is a repeat (a producer's retry) and is skipped; any other index means
/// a segment is missing or out of order, and the document is refused. Every segment repeats
/// `dr-segment`'s count and `dr-size`; the last one ends the document, whose bytes must be
/// `dr-size` and whose SHA-256 must be the signed `dr-sha256`.
public struct SegmentAssembly: Sendable {
    /// The signed digest of the whole value (`dr-sha256`).
    public let sha256: String
    public let count: Int
    public let documentSize: Int
    /// The index expected next (`count` once complete).
    public private(set) var next = 0
    private let hasher = SHA256Stream()

    /// Starts a document with its first segment's signed digest and `dr-segment`.
    public init(sha256: String, first: DocumentSegment) {
        self.sha256 = sha256
        self.count = first.count
        self.documentSize = first.documentSize
    }

    /// Bytes taken so far.
    public var takenBytes: Int { hasher.count }

    /// What a segment is to the document in progress.
    public enum Step: Sendable, Hashable {
        /// The expected one: write it on, then `take` it.
        case expected
        /// Index 0 again: the document starts over (a new `SegmentAssembly`).
        case restart
        /// An index already taken: skip it.
        case repeated
        /// The document is refused, with its class and reason.
        case refuse(ErrorClass, String)
    }

    /// What `segment` (of a record whose signed digest is `sha256`) is to this document.
    public func step(_ segment: DocumentSegment, sha256: String) -> Step {
        guard let index = segment.index else {
            return .refuse(.malformed, "dr-segment: \(segment) while the document was in progress")
        }
        if index == 0 && next > 0 { return .restart }
        guard sha256 == self.sha256, segment.count == count, segment.documentSize == documentSize else {
            return .refuse(
                .malformed,
                "dr-segment: \(segment) names \(segment.count) segments of a \(segment.documentSize)-byte document with dr-sha256 \(sha256.prefix(16))…, the first said \(count) of \(documentSize) bytes with \(self.sha256.prefix(16))…")
        }
        if index < next { return .repeated }
        guard index == next else {
            return .refuse(
                .malformed,
                "\(DocumentSegment(index: next, count: count, documentSize: documentSize)) is missing: \(segment) came after \(next == 0 ? "none" : "segment \(next) of \(count)") (segments travel in order under one key)")
        }
        return .expected
    }

    /// What taking the expected segment's bytes gave.
    public enum Progress: Sendable, Hashable {
        /// More segments to come.
        case partial
        /// The last segment: the whole value is the one signed.
        case complete
        /// Refused, with its class and reason.
        case refuse(ErrorClass, String)
    }

    /// Takes the bytes of the segment `step` called `expected`, in order.
    public mutating func take(_ bytes: [UInt8]) -> Progress {
        hasher.update(bytes)
        next += 1
        guard hasher.count <= documentSize else {
            return .refuse(.malformed, "dr-size: the segments hold more than the \(documentSize) bytes it says (\(hasher.count) by segment \(next) of \(count))")
        }
        guard next == count else { return .partial }
        guard hasher.count == documentSize else {
            return .refuse(.malformed, "dr-size: the \(count) segments hold \(hasher.count) bytes, not the \(documentSize) it says")
        }
        let digest = hasher.finishHex()
        guard digest == sha256 else {
            return .refuse(
                .signature,
                "dr-sha256: the SHA-256 of the \(count) segments (\(documentSize) bytes) is \(digest), not the signed \(sha256): a segment was altered")
        }
        return .complete
    }

    /// Why a document left unfinished for `idle` is given up (class `incomplete`).
    public func abandoned(idle: Duration, setting: String) -> (ErrorClass, String) {
        (.incomplete,
         "only \(next) of \(count) segments came (\(takenBytes) of \(documentSize) bytes), then none for \(idle.components.seconds) s (\(setting)): the sender did not finish the document")
    }
}
