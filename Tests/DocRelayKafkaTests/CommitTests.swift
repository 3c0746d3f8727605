@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Commits: only processed work, out of order, across restarts")
struct CommitTests {
    /// 3 partitions × 30 records, each record's key naming its partition and index.
    private func filledTopic(_ cluster: EmbeddedKafkaCluster) async throws -> String {
        let topic = uniqueName("commit")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        let records = (0..<3).flatMap { partition in
            (0..<30).map { index in
                KafkaProducerRecord(
                    topic: topic, partition: Int32(partition), key: Array("p\(partition)-\(index)".utf8),
                    value: Array("value \(index)".utf8))
            }
        }
        _ = try await sendAll(records, with: producer, width: 1)  // in order per partition
        await producer.close()
        return topic
    }

    @Test("A consumer that stops after committing N of M re-reads exactly the uncommitted ones")
    func restartReadsExactlyTheUncommitted() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = try await filledTopic(cluster)
        let group = uniqueName("group")

        // First run: read all 90, mark processed the first 20 of each partition, out of order,
        // except offsets 10 and 11 of partition 0.
        let first = try KafkaConsumer(settings: .test(cluster, group: group), logger: testLogger)
        try first.subscribe(topics: [topic])
        let all = try await first.take(90, markProcessed: false)
        let toProcess = all.filter { $0.offset < 20 && !($0.partition == 0 && (10...11).contains($0.offset)) }
        for record in toProcess.reversed() { first.markProcessed(record) }
        let committed = try await first.commit()
        #expect(committed == [
            KafkaTopicPartition(topic: topic, partition: 0): 10,
            KafkaTopicPartition(topic: topic, partition: 1): 20,
            KafkaTopicPartition(topic: topic, partition: 2): 20,
        ])
        await first.close()

        // Second run, same group: exactly partition 0 from 10, partitions 1 and 2 from 20.
        let second = try KafkaConsumer(settings: .test(cluster, group: group), logger: testLogger)
        try second.subscribe(topics: [topic])
        let reread = try await second.take(40)
        #expect(try await second.extra(during: .seconds(2)).isEmpty)
        await second.close()
        let expected = Set((10..<30).map { "p0-\($0)" } + (20..<30).map { "p1-\($0)" } + (20..<30).map { "p2-\($0)" })
        #expect(Set(reread.map { String(decoding: $0.key ?? [], as: UTF8.self) }) == expected)
        #expect(reread.count == 40)
    }

    @Test(
        "close() commits what was processed, also when the broker first refuses (group rebalancing); nothing processed is read again",
        arguments: [0, 1])
    func closeCommitsProcessedWork(refusedCommits: Int) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = try await filledTopic(cluster)
        let group = uniqueName("group")
        var settings = KafkaConsumerSettings.test(cluster, group: group)
        settings.commitInterval = .seconds(3600)  // only close() may commit

        let first = try KafkaConsumer(settings: settings, logger: testLogger)
        try first.subscribe(topics: [topic])
        _ = try await first.take(90)
        cluster.pushRequestErrors(apiKey: 8, Array(repeating: .rebalanceInProgress, count: refusedCommits))  // OffsetCommit
        let clock = ContinuousClock()
        let started = clock.now
        await first.close()
        print("close() with \(refusedCommits) refused commit(s) took \(clock.now - started)")

        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        let offsets = try await admin.committedOffsets(group: group, topics: [topic])
        #expect(offsets.count == 3)
        #expect(offsets.values.allSatisfy { $0 == 30 })
        #expect(try await admin.lag(group: group, topic: topic) == [0: 0, 1: 0, 2: 0])

        let second = try KafkaConsumer(settings: settings, logger: testLogger)
        try second.subscribe(topics: [topic])
        #expect(try await second.extra(during: .seconds(8)).isEmpty)
        await second.close()
    }

    @Test("Background commits follow processing without an explicit commit")
    func backgroundCommit() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = try await filledTopic(cluster)
        let group = uniqueName("group")
        var settings = KafkaConsumerSettings.test(cluster, group: group)
        settings.commitInterval = .milliseconds(100)
        let consumer = try KafkaConsumer(settings: settings, logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let records = try await consumer.take(90, markProcessed: false)
        for record in records where record.offset < 5 { consumer.markProcessed(record) }

        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for _ in 0..<50 {
            offsets = try await admin.committedOffsets(group: group, topics: [topic])
            if offsets.count == 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(offsets.values.sorted() == [5, 5, 5])
        await consumer.close()
    }
}
