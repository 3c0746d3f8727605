public import DocRelayCore

/// The Kafka records a signed document travels as (contract, "Large documents"): one record
/// with the whole value, or, over `segmentation.maxValueBytes`, one record per segment, each
/// with every signed header, `dr-segment` and `dr-size`, and its bytes of the value.
public struct DocumentRecords: Sendable {
    public struct Record: Sendable {
        public let headers: [(name: String, value: [UInt8])]
        /// The bytes of the value this record carries.
        public let range: Range<Int>
        /// Its segment; nil for a document sent whole.
        public let segment: DocumentSegment?
    }

    public let records: [Record]

    /// `extraHeaders` follow the signed ones on every record (e.g. a relay's or agent's own).
    public init(
        signed: SignedHeaders, size: Int, segmentation: DocumentSegmentation,
        extraHeaders: [(name: String, value: [UInt8])] = []
    ) {
        let ranges = segmentation.ranges(size: size)
        let segments = segmentation.segments(size: size)
        let base = signed.headers + extraHeaders
        records = ranges.enumerated().map { index, range in
            let segment = segments.isEmpty ? nil : segments[index]
            return Record(headers: base + (segment?.headers ?? []), range: range, segment: segment)
        }
    }
}
