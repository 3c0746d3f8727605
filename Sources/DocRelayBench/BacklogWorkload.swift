/// The shape of `docrelay-bench backlog`: documents whose values are the relay's largest
/// (`limits.max-value-bytes`), first a few (the baseline), then a backlog several times the
/// relay's `limits.memory-budget`, and where each lies in the mock cluster.
///
/// The mock cluster keeps ~5 MiB per partition and silently drops older records beyond it: at
/// 1 MiB a record, four fit in a partition. So the agencies' out and in topics have many
/// partitions, every document is produced into an out partition chosen here (never more than
/// `perPartition` in one), and its id is chosen so that librdkafka's default partitioner
/// (`consistent_random`: CRC-32 of the key, modulo the partition count), which the relay's
/// inbox writes go through keyed by `dr-id`, puts no more than `perPartition` in any inbox
/// partition. The run checks afterwards that no partition lost a record.
struct BacklogWorkload: Sendable, Hashable {
    /// Bytes of each document's value: the relay's `limits.max-value-bytes`.
    var size: Int
    /// Documents of the baseline run: one per agency.
    var baselineDocuments: Int = RelayWorkload.agencyCount
    /// Documents waiting in the out topics when the backlog run's relay starts.
    var documents: Int
    /// Partitions of each agency's out and in topic.
    var partitions: Int

    /// `make bench`: 1,280 documents of 1 MiB (5× the default budget of 256 MiB), 32 partitions
    /// per topic (at most 3 documents in an out partition, 4 in an inbox partition).
    static let standard = BacklogWorkload(size: 1_048_576, documents: 1_280, partitions: 32)

    /// Documents of one partition at most: 4 of the largest records with their headers (and a
    /// few acks of ~3 KiB) stay under the mock's 5 MiB.
    var perPartition: Int { max(1, (5 * 1_048_576 - 256 * 1024) / (size + 16 * 1024)) }

    var totalDocuments: Int { baselineDocuments + documents }
    var baselineRange: Range<Int> { 0..<baselineDocuments }
    var backlogRange: Range<Int> { baselineDocuments..<totalDocuments }

    func validate() throws(BenchFailure) {
        guard size > 0, documents > 0, baselineDocuments > 0, partitions > 0 else {
            throw BenchFailure("size, documents, baseline documents and partitions must be positive")
        }
        let perAgency = (totalDocuments + RelayWorkload.agencyCount - 1) / RelayWorkload.agencyCount
        guard perAgency <= partitions * perPartition else {
            throw BenchFailure(
                "\(totalDocuments) documents of \(size) bytes need more than \(partitions) partitions per agency "
                    + "(\(perPartition) documents fit in one of the mock's partitions)")
        }
    }

    /// Where document `index` goes: its sender and recipient (as `RelayWorkload.route`), its out
    /// partition and its id.
    struct Placement: Sendable, Hashable {
        var from: Int
        var to: Int
        var outPartition: Int32
        var id: String
    }

    /// Every document's placement, in order.
    func placements() -> [Placement] {
        var outFill = Array(repeating: 0, count: RelayWorkload.agencyCount)
        var inboxFill = Array(repeating: Array(repeating: 0, count: partitions), count: RelayWorkload.agencyCount)
        return (0..<totalDocuments).map { index in
            let (from, to) = RelayWorkload.route(index)
            let outPartition = Int32(outFill[from] % partitions)
            outFill[from] += 1
            var attempt = 0
            var id = "bench-backlog-\(index)"
            while inboxFill[to][Self.partition(of: id, count: partitions)] >= perPartition {
                attempt += 1
                id = "bench-backlog-\(index)-\(attempt)"
            }
            inboxFill[to][Self.partition(of: id, count: partitions)] += 1
            return Placement(from: from, to: to, outPartition: outPartition, id: id)
        }
    }

    /// The partition librdkafka's `consistent_random` partitioner gives `key`.
    static func partition(of key: String, count: Int) -> Int {
        Int(crc32(Array(key.utf8)) % UInt32(count))
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib and librdkafka's `rd_crc32`).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
