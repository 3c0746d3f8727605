/// The shape of one `docrelay-bench hops` measurement: how many documents of what size go
/// along each path (`HopsPath`), one at a time at a fixed rate, after a few untimed ones that
/// warm every relay, group and producer up.
struct HopsWorkload: Sendable, Hashable {
    /// Bytes of each document (the record's value).
    var size = 4096
    /// Timed documents per path.
    var documents = 1_000
    /// Documents per second, sent one by one (not in bursts).
    var rate = 200.0
    /// Untimed documents per path sent first, all at once, and waited for.
    var warmUpDocuments = 20

    /// The run of `make bench`.
    static let standard = HopsWorkload()

    /// Partitions of every agency's out and in topic and of every hub's transit topic.
    static let partitions = 6
    /// Partitions of each hub's events topic.
    static let eventPartitions = 12
    /// Partitions of each hub's retry and dead-letter topics (they must stay empty).
    static let quietPartitions = 2

    /// Documents per path, warm-up included.
    var documentsPerPath: Int { documents + warmUpDocuments }

    /// The fullest partition of the recipient's inbox (it receives both paths' documents,
    /// each with up to four `dr-hop` headers), in bytes (estimated, with a margin for keys
    /// landing unevenly).
    var largestInboxPartitionBytes: Int {
        let records = 2 * documentsPerPath
        let perPartition = (records + Self.partitions - 1) / Self.partitions * 115 / 100
        return perPartition * (size + RelayWorkload.documentHeaderBytes + 4 * 64)
    }

    /// Refuses workloads the mock cluster cannot hold in full or that make no sense.
    func validate() throws(BenchFailure) {
        guard size > 0, documents > 0, warmUpDocuments >= 1 else {
            throw BenchFailure("size and documents must be positive, and at least one warm-up document is needed")
        }
        guard rate > 0, rate <= 5_000 else {
            throw BenchFailure("the rate is in documents per second, in (0, 5000], not \(rate)")
        }
        let bytes = largestInboxPartitionBytes
        guard bytes < BenchWorkload.maxBytesPerPartition else {
            throw BenchFailure(
                "\(2 * documentsPerPath) documents of \(size) bytes put about \(bytes) bytes in one partition of the "
                    + "recipient's inbox; the mock cluster drops data beyond 5 MiB per partition, keep it under "
                    + "\(BenchWorkload.maxBytesPerPartition)")
        }
    }
}
