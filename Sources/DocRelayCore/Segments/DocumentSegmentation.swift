/// How a sender cuts a document into segments (contract, "Large documents"): whole when it fits
/// one record (`maxValueBytes`), else in `segmentBytes` pieces, the last one shorter.
public struct DocumentSegmentation: Sendable, Hashable {
    /// Bytes of every segment but the last.
    public let segmentBytes: Int
    /// The largest value sent as one record.
    public let maxValueBytes: Int

    /// DocRelay's senders use 512 KiB segments: half Kafka's default record limit, leaving room
    /// for the signed and relay headers (up to 64 KiB) and for a broker configured with the
    /// default `message.max.bytes` (1 MiB).
    public static let defaultSegmentBytes = 524_288

    public init(segmentBytes: Int = Self.defaultSegmentBytes, maxValueBytes: Int = 1_048_576) {
        self.segmentBytes = max(1, min(segmentBytes, maxValueBytes))
        self.maxValueBytes = maxValueBytes
    }

    /// Whether a value of `size` bytes travels in segments.
    public func isSegmented(size: Int) -> Bool { size > maxValueBytes }

    /// The byte ranges of the segments of a value of `size` bytes (one range for a value sent
    /// whole).
    public func ranges(size: Int) -> [Range<Int>] {
        guard isSegmented(size: size) else { return [0..<size] }
        return stride(from: 0, to: size, by: segmentBytes).map { $0..<min($0 + segmentBytes, size) }
    }

    /// The `DocumentSegment` of each range of `ranges(size:)`; empty for a value sent whole.
    public func segments(size: Int) -> [DocumentSegment] {
        guard isSegmented(size: size) else { return [] }
        let count = ranges(size: size).count
        return (0..<count).map { DocumentSegment(index: $0, count: count, documentSize: size) }
    }
}
