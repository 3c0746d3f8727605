/// The shape of one relay measurement: how many signed documents of what size the relay
/// carries in the throughput phase, and how many more it carries, paced, in the latency phase.
///
/// Documents go round-robin: document `i` is from agency `i % 20` to agency
/// `(i + 1 + (i / 20) % 19) % 20`, so every agency sends and receives the same number, and
/// every inbox holds as many documents as acks.
struct RelayWorkload: Sendable, Hashable {
    /// Bytes of each document (the record's value).
    var size: Int
    /// Documents in the out topics before the relay starts: the throughput phase.
    var records: Int
    /// Documents sent at a fixed rate after the throughput phase: the latency phase.
    var latencyDocuments: Int = 1_000
    /// The latency phase's rate, as a fraction of the throughput just measured.
    var latencyLoad: Double = 0.4

    static let agencyCount = 20
    /// Partitions of each agency's out and in topic.
    static let agencyPartitions = 2
    static let eventPartitions = 12

    /// The runs of `make bench`. Signing is ~1 ms a document per core (RSA-2048), so the
    /// record counts keep each run to about half a minute.
    static let standard: [RelayWorkload] = [
        RelayWorkload(size: 4096, records: 8_000),
        RelayWorkload(size: 1024, records: 16_000),
    ]

    /// The agencies' codes: level-1 bodies `000.00.00.G01` to `G20`, all at hub `national`.
    static let agencies: [String] = (1...agencyCount).map { index in
        "000.00.00.G" + (index < 10 ? "0" : "") + String(index)
    }

    /// Sender and recipient of document `index`, as indices into `agencies`.
    static func route(_ index: Int) -> (from: Int, to: Int) {
        let from = index % agencyCount
        let to = (from + 1 + (index / agencyCount) % (agencyCount - 1)) % agencyCount
        return (from, to)
    }

    var totalDocuments: Int { records + latencyDocuments }

    // The mock cluster keeps ~5 MiB per partition and drops older data silently: every
    // partition must stay under `maxBytesPerPartition`, with records as they are on the wire.

    /// A signed document's headers: the CMS signature in base64 (an RSA-2048 signature with the
    /// agency's certificate embedded, ~1.8 KiB encoded) and the other `dr-` headers.
    static let documentHeaderBytes = 2_600
    /// An ack (JSON value, ECDSA signature and hub certificate in the headers).
    static let ackBytes = 2_048
    /// An event (JSON value, one header).
    static let eventBytes = 420
    /// Events per document with one recipient: accepted, delivered, acked.
    static let eventsPerDocument = 3

    /// The largest share of one partition, with a margin for keys landing unevenly.
    private static func perPartition(_ records: Int, partitions: Int) -> Int {
        (records + partitions - 1) / partitions * 115 / 100
    }

    /// The fullest partition of each kind of topic, in bytes (estimated).
    var largestPartitionBytes: (out: Int, inbox: Int, events: Int) {
        let perAgency = (totalDocuments + Self.agencyCount - 1) / Self.agencyCount
        let document = size + Self.documentHeaderBytes
        let out = Self.perPartition(perAgency, partitions: Self.agencyPartitions) * document
        let inbox = Self.perPartition(perAgency, partitions: Self.agencyPartitions) * (document + Self.ackBytes)
        let events = Self.perPartition(totalDocuments * Self.eventsPerDocument, partitions: Self.eventPartitions)
            * Self.eventBytes
        return (out, inbox, events)
    }

    /// Refuses workloads the mock cluster cannot hold in full.
    func validate() throws(BenchFailure) {
        guard size > 0, records > 0, latencyDocuments >= 0 else {
            throw BenchFailure("size and records must be positive, latency documents not negative")
        }
        guard latencyLoad > 0, latencyLoad <= 1 else {
            throw BenchFailure("the latency load is a fraction of the throughput, in (0, 1], not \(latencyLoad)")
        }
        let largest = largestPartitionBytes
        for (kind, bytes) in [("out", largest.out), ("in", largest.inbox), ("events", largest.events)]
        where bytes >= BenchWorkload.maxBytesPerPartition {
            throw BenchFailure(
                "\(totalDocuments) documents of \(size) bytes put about \(bytes) bytes in one \(kind) partition; "
                    + "the mock cluster drops data beyond 5 MiB per partition, keep it under \(BenchWorkload.maxBytesPerPartition)")
        }
    }
}
