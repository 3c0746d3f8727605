@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Backpressure, pause and resume")
struct FlowControlTests {
    private func filled(_ cluster: EmbeddedKafkaCluster, count: Int) async throws -> String {
        let topic = uniqueName("flow")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        _ = try await sendAll(
            (0..<count).map { KafkaProducerRecord(topic: topic, key: nil, value: Array("r\($0)".utf8)) },
            with: producer)
        await producer.close()
        return topic
    }

    @Test("A slow application holds the buffer near its limit; every record still arrives once, in order")
    func backpressure() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = try await filled(cluster, count: 400)
        var settings = KafkaConsumerSettings.test(cluster, group: uniqueName("g"))
        settings.maxBufferedRecords = 20
        let consumer = try KafkaConsumer(settings: settings, logger: testLogger)
        try consumer.subscribe(topics: [topic])

        // Take one record (the group has joined), then read nothing for a while.
        let first = try await consumer.take(1)
        try await Task.sleep(for: .seconds(2))
        let buffered = consumer.state.withLock { $0.bufferedCount }
        #expect(buffered >= 10 && buffered <= 40, "buffered \(buffered) with a limit of 20")
        #expect(consumer.state.withLock { $0.backpressure })

        let rest = try await consumer.take(399)
        await consumer.close()
        #expect((first + rest).map(\.offset) == (0..<400).map { Int64($0) })
    }

    @Test("A paused partition delivers nothing, then restarts at the chosen offset")
    func pauseAndResume() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = try await filled(cluster, count: 50)
        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let partition = KafkaTopicPartition(topic: topic, partition: 0)

        let head = try await consumer.take(10)
        let held = try await consumer.take(1, markProcessed: false)
        #expect(held.map(\.offset) == [10])
        consumer.pause(partition, resumingAt: 10)
        #expect(try await consumer.extra(during: .seconds(1)).isEmpty)

        consumer.resume(partition)
        let tail = try await consumer.take(40)
        #expect(tail.map(\.offset) == (10..<50).map { Int64($0) })
        #expect(try await consumer.commit() == [partition: 50])
        #expect(head.map(\.offset) == (0..<10).map { Int64($0) })
        await consumer.close()
    }

    @Test("Cancelling a waiting iteration ends it without losing the next record")
    func cancelledWait() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("cancel")
        try cluster.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let waiting = Task { try await consumer.records.first { _ in true } }
        try await Task.sleep(for: .milliseconds(500))
        waiting.cancel()
        #expect(try await waiting.value == nil)

        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [42]))
        await producer.close()
        #expect(try await consumer.take(1).map(\.value) == [[42]])
        await consumer.close()
    }
}
