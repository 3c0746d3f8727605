@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Producer and consumer round trip over TCP")
struct RoundTripTests {
    @Test("1,000 records with keys and headers come back byte for byte, where the broker said")
    func thousandRecordsRoundTrip() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("roundtrip")
        try cluster.createTopic(topic, partitions: 4)

        let sent: [KafkaProducerRecord] = (0..<1000).map { index in
            KafkaProducerRecord(
                topic: topic,
                key: Array("key-\(index)".utf8),
                value: index % 100 == 0 ? [] : pseudoRandomBytes(count: (index * 37) % 4096, seed: UInt64(index)),
                headers: [
                    KafkaHeader(name: "dr-id", string: "doc-\(index)"),
                    KafkaHeader(name: "dr-hop", string: "h58/relay-1/2026-11-29T01:00:00Z"),
                    KafkaHeader(name: "dr-hop", string: "national/relay-2/2026-11-29T01:00:01Z"),
                    KafkaHeader(name: "binary", value: pseudoRandomBytes(count: 16, seed: UInt64(index) + 7)),
                    KafkaHeader(name: "empty", value: []),
                    KafkaHeader(name: "absent", value: nil),
                    KafkaHeader(name: "tiêu-đề", string: "Công văn số \(index)"),
                ])
        }
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        let reports = try await sendAll(sent, with: producer)
        await producer.close()
        #expect(reports.count == 1000)
        #expect(Set(reports.map { "\($0.partition)@\($0.offset)" }).count == 1000)

        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await consumer.take(1000)
        #expect(try await consumer.extra(during: .seconds(1)).isEmpty)
        await consumer.close()

        let byKey = Dictionary(grouping: received, by: { $0.key ?? [] })
        #expect(byKey.count == 1000)
        for (index, record) in sent.enumerated() {
            let got = try #require(byKey[record.key ?? []]?.first, "record \(index) missing")
            #expect(got.value == record.value, "value of record \(index)")
            #expect(got.headers == record.headers, "headers of record \(index)")
            #expect(got.topic == topic)
            #expect(got.partition == reports[index].partition && got.offset == reports[index].offset,
                    "record \(index) read where the delivery report placed it")
        }
    }

    @Test("A record to an explicit partition lands there, with a null key")
    func explicitPartition() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("explicit")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        let report = try await producer.send(KafkaProducerRecord(topic: topic, partition: 2, key: nil, value: [1, 2, 3]))
        #expect(report.partition == 2)
        #expect(report.offset == 0)
        await producer.close()

        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let record = try #require(try await consumer.take(1).first)
        #expect(record.key == nil)
        #expect(record.value == [1, 2, 3])
        #expect(record.partition == 2)
        #expect(record.timestampMilliseconds != nil)
        await consumer.close()
    }

    @Test("A send to a topic that does not exist fails with a retriable error, and no topic appears")
    func unknownTopicIsRetriable() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        var settings = KafkaProducerSettings(connection: cluster.settings)
        settings.deliveryTimeout = .seconds(3)
        settings.connection.properties["topic.metadata.propagation.max.ms"] = "1000"
        let producer = try KafkaProducer(settings: settings, logger: testLogger)
        let topic = uniqueName("missing")
        do {
            try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [0]))
            Issue.record("a send to a missing topic succeeded")
        } catch let error as KafkaError {
            #expect(error.isRetriable, "\(error)")
            #expect([.unknownTopic, .unknownTopicOrPartition, .messageTimedOut].contains(error.code), "\(error)")
        }
        await producer.close()
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        #expect(try await admin.listTopics().contains { $0.name == topic } == false)
    }

    @Test("A send after close fails with a closed error instead of hanging")
    func sendAfterClose() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        await producer.close()
        await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerRecord(topic: "any", key: nil, value: [1]))
        }
    }

    @Test("send(_:onDelivery:) completes each record exactly once, success or failure")
    func callbackSends() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("callback")
        try cluster.createTopic(topic, partitions: 2)
        var settings = KafkaProducerSettings(connection: cluster.settings)
        settings.maxQueuedRecords = 50  // forces waits for room
        settings.deliveryTimeout = .seconds(3)
        settings.connection.properties["topic.metadata.propagation.max.ms"] = "1000"
        let producer = try KafkaProducer(settings: settings, logger: testLogger)
        let outcomes = LockedValue<[Int: [Bool]]>([:])
        for index in 0..<500 {
            let target = index % 100 == 99 ? uniqueName("missing") : topic
            await producer.send(KafkaProducerRecord(topic: target, key: nil, value: [UInt8(index % 256)])) { result in
                outcomes.withLock { $0[index, default: []].append((try? result.get()) != nil) }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
        let final = outcomes.withLock { $0 }
        #expect(final.count == 500)
        #expect(final.values.allSatisfy { $0.count == 1 })
        #expect(final.filter { $0.value == [false] }.map(\.key).sorted() == [99, 199, 299, 399, 499])
    }
}
