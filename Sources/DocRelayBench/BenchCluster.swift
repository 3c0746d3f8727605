import DocRelayKafka
import Logging

/// The embedded cluster of one measurement: a single mock broker with the source and
/// destination topics, the source pre-filled, and the checks run once the pass-through ended.
///
/// Every client made here is closed before the function that made it returns, so that the
/// cluster outlives them all.
struct BenchCluster: Sendable {
    let cluster: EmbeddedKafkaCluster
    let workload: BenchWorkload
    let logger: Logger

    /// Starts the cluster and creates both topics.
    init(workload: BenchWorkload, logger: Logger) throws {
        self.cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        self.workload = workload
        self.logger = logger
        try cluster.createTopic(BenchWorkload.sourceTopic, partitions: BenchWorkload.partitions)
        try cluster.createTopic(BenchWorkload.destinationTopic, partitions: BenchWorkload.partitions)
    }

    var bootstrapServers: String { cluster.bootstrapServers }

    /// Writes the workload's records into the source topic (not timed) and checks they are
    /// all there.
    func prefill() async throws {
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: cluster.settings), logger: logger)
        let source = SourceRecords(size: workload.size)
        let total = workload.records
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let width = 1_000
                var next = 0
                while next < min(width, total) {
                    let record = source.record(next, topic: BenchWorkload.sourceTopic)
                    group.addTask { try await producer.send(record) }
                    next += 1
                }
                while try await group.next() != nil, next < total {
                    let record = source.record(next, topic: BenchWorkload.sourceTopic)
                    group.addTask { try await producer.send(record) }
                    next += 1
                }
                try await group.waitForAll()
            }
        } catch {
            await producer.close(timeout: .zero)
            throw error
        }
        await producer.close()
        try await checkComplete(topic: BenchWorkload.sourceTopic, expected: total)
    }

    /// Checks the outcome of the pass-through: the destination holds exactly the workload's
    /// records, none dropped by the mock, and the group committed the whole source.
    func verify(group: String) async throws {
        try await checkComplete(topic: BenchWorkload.destinationTopic, expected: workload.records)
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: logger)
        let committed = try await admin.committedOffsets(group: group, topics: [BenchWorkload.sourceTopic])
        let committedTotal = committed.values.reduce(0, +)
        guard committedTotal == Int64(workload.records) else {
            throw BenchFailure(
                "group \(group) committed \(committedTotal) records of \(BenchWorkload.sourceTopic), expected \(workload.records)")
        }
    }

    /// Fails unless the high watermarks of `topic` sum to `expected` and no partition lost
    /// its oldest records to the mock's size limit.
    private func checkComplete(topic: String, expected: Int) async throws {
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: logger)
        let offsets = try await admin.partitionOffsets(topic: topic)
        let total = offsets.reduce(Int64(0)) { $0 + $1.high }
        guard total == Int64(expected) else {
            throw BenchFailure("\(topic) holds \(total) records (sum of high watermarks), expected \(expected)")
        }
        if let truncated = offsets.first(where: { $0.low != 0 }) {
            throw BenchFailure(
                "\(topic)[\(truncated.partition)] starts at offset \(truncated.low): the mock cluster dropped records; use fewer or smaller records")
        }
    }
}
