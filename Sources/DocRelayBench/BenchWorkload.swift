/// One measurement's shape: how many records of what size pass through, and the topics and
/// records used, identical for both implementations.
struct BenchWorkload: Sendable, Hashable {
    /// Bytes of each record's value.
    var size: Int
    /// Records pre-filled in the source and passed through.
    var records: Int

    /// Partitions of the source and of the destination topic.
    static let partitions = 24
    static let sourceTopic = "bench-source"
    static let destinationTopic = "bench-destination"
    /// The mock cluster keeps at most 5 MiB per partition and silently drops older data; the
    /// values of one partition stay under this, leaving room for keys, headers and framing.
    static let maxBytesPerPartition = 4 * 1024 * 1024

    /// The two combinations of `make bench`.
    static let standard: [BenchWorkload] = [
        BenchWorkload(size: 1024, records: 60_000),
        BenchWorkload(size: 4096, records: 20_000),
    ]

    /// Value bytes expected per partition, on average.
    var bytesPerPartition: Int { records * size / Self.partitions }

    /// Refuses workloads the mock cluster cannot hold in full.
    func validate() throws(BenchFailure) {
        guard size > 0, records > 0 else {
            throw BenchFailure("size and records must be positive (size \(size), records \(records))")
        }
        guard bytesPerPartition < Self.maxBytesPerPartition else {
            throw BenchFailure(
                "\(records) records of \(size) bytes make \(bytesPerPartition) bytes per partition; "
                    + "the mock cluster drops data beyond 5 MiB per partition, keep it under \(Self.maxBytesPerPartition)")
        }
    }
}
