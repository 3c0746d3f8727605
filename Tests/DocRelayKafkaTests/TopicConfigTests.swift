@testable import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// What provision and the relay's retention check need of the Kafka layer: topic settings
/// (described, altered without losing the others) and the timestamp of a given record.
@Suite("Topic settings and record timestamps")
struct TopicConfigTests {
    @Test("AlterConfigs replaces every override: the request keeps the topic's other overrides, changes only what is asked")
    func overridesKept() throws {
        let current = [
            KafkaTopicConfigEntry(name: "retention.ms", value: "604800000", isTopicOverride: false),
            KafkaTopicConfigEntry(name: "max.message.bytes", value: "2097152", isTopicOverride: true),
            KafkaTopicConfigEntry(name: "min.insync.replicas", value: "2", isTopicOverride: true),
            KafkaTopicConfigEntry(name: "cleanup.policy", value: "delete", isTopicOverride: false),
        ]
        let request = try KafkaTopicConfigEntry.overrides(keeping: current, changing: ["retention.ms": "2592000000"], topic: "docrelay.in.x")
        #expect(request == ["retention.ms": "2592000000", "max.message.bytes": "2097152", "min.insync.replicas": "2"])

        let overridden = [KafkaTopicConfigEntry(name: "retention.ms", value: "86400000", isTopicOverride: true)]
        #expect(try KafkaTopicConfigEntry.overrides(keeping: overridden, changing: ["retention.ms": "-1"], topic: "t") == ["retention.ms": "-1"])

        let hidden = [KafkaTopicConfigEntry(name: "some.secret", value: nil, isTopicOverride: true, isSensitive: true)]
        let error = try #require(throws: KafkaError.self) {
            try KafkaTopicConfigEntry.overrides(keeping: hidden, changing: ["retention.ms": "1"], topic: "docrelay.dlq")
        }
        #expect(error.message.contains("topic docrelay.dlq: its setting some.secret cannot be read"))
    }

    @Test("The embedded cluster has no controller for DescribeConfigs: a timed-out error within the admin's timeout, not a hang (the relay falls back to hub.yaml)")
    func describeOnTheMock() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("docrelay.in.x", partitions: 1)
        var settings = cluster.settings
        settings.connectTimeout = .seconds(2)
        let admin = try await KafkaAdmin.connect(settings: settings, logger: testLogger)
        let started = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) { try await admin.describeTopicConfigs(["docrelay.in.x"]) }
        let took = ContinuousClock.now - started
        print("DescribeConfigs on the mock: \(error.code.name) after \(took): \(error.message)")
        #expect(error.code == .timedOut)
        // The admin's timeout is 2 s; the fault this tells is a hang, which never ends. The bound
        // leaves room for the whole suite on two cores (5.2 s at a load of 8, 27.8 s once beside
        // other builds).
        #expect(took < .seconds(120))
        let alter = try await #require(throws: KafkaError.self) { try await admin.alterTopicConfigs(["docrelay.in.x": ["retention.ms": "1000"]]) }
        #expect(alter.code == .timedOut, "no change is claimed where none could be made")
    }

    @Test("The first record at or after an offset gives its create time; partitions with nothing there are absent")
    func firstTimestamps() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("docrelay.in")
        try cluster.createTopic(topic, partitions: 3)
        let day: Int64 = 86_400_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        // Partition 0: three records 25, 20 and 2 days old; partition 1: one of now; partition 2: empty.
        let times: [(Int32, Int64)] = [(0, now - 25 * day), (0, now - 20 * day), (0, now - 2 * day), (1, now)]
        _ = try await sendAll(times.map { KafkaProducerRecord(topic: topic, partition: $0.0, key: nil, value: [1], timestampMilliseconds: $0.1) }, with: producer)
        await producer.close()

        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger, stallTimeout: .seconds(10))
        let p0 = KafkaTopicPartition(topic: topic, partition: 0)
        let p1 = KafkaTopicPartition(topic: topic, partition: 1)
        let p2 = KafkaTopicPartition(topic: topic, partition: 2)
        let first = try await reader.firstTimestamps(at: [p0: 0, p1: 0, p2: 0])
        print("first timestamps (days old): \(first.mapValues { (now - $0) / day })")
        #expect(first == [p0: now - 25 * day, p1: now])
        let later = try await reader.firstTimestamps(at: [p0: 2])
        #expect(later == [p0: now - 2 * day], "once the agent read two, the third is the oldest unread")
        // The reader can still read whole topics afterwards.
        #expect(try await reader.readAll(topic).count == 4)
        await reader.close()
    }
}
