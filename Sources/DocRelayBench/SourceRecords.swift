import DocRelayKafka

/// The records pre-filled in the source topic: key `doc-<i>`, a value of pseudo-random bytes,
/// and four small headers as a relayed document carries.
///
/// Values are windows into one pseudo-random pool, so that generating them costs neither time
/// nor memory that would blur the figures (peak RSS is part of the report).
struct SourceRecords: Sendable {
    let size: Int
    private let pool: [UInt8]

    private static let poolSpan = 64 * 1024

    init(size: Int) {
        self.size = size
        self.pool = Self.pseudoRandomBytes(count: Self.poolSpan + size, seed: 0x0D0C_4E1A_7000_0001)
    }

    /// The `index`th record, addressed to `topic`.
    func record(_ index: Int, topic: String) -> KafkaProducerRecord {
        let start = (index &* 4_099) % Self.poolSpan
        let id = "doc-\(index)"
        return KafkaProducerRecord(
            topic: topic,
            key: Array(id.utf8),
            value: Array(pool[start..<(start + size)]),
            headers: [
                KafkaHeader(name: "dr-id", string: id),
                KafkaHeader(name: "dr-kind", string: "edxml"),
                KafkaHeader(name: "dr-from", string: "000.00.00.G01"),
                KafkaHeader(name: "dr-to", string: "000.00.00.H02"),
            ])
    }

    /// Reproducible bytes from `seed` (xorshift64).
    private static func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
