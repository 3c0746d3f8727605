@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Admin: topics, offsets, lag")
struct AdminTests {
    @Test("Topics are listed with their partitions; log offsets and a group's lag are read")
    func topicsOffsetsAndLag() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: testLogger)
        let topic = uniqueName("admin")
        try cluster.createTopic(topic, partitions: 5, replicationFactor: 3)
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: testLogger)
        let listed = try await admin.listTopics()
        #expect(listed.first { $0.name == topic }?.partitionCount == 5)

        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        _ = try await sendAll(
            (0..<20).map { KafkaProducerRecord(topic: topic, partition: Int32($0 % 5), key: nil, value: [UInt8($0)]) },
            with: producer)
        await producer.close()
        let offsets = try await admin.partitionOffsets(topic: topic)
        #expect(offsets.map(\.high) == [4, 4, 4, 4, 4])
        #expect(offsets.map(\.low) == [0, 0, 0, 0, 0])

        let group = uniqueName("group")
        #expect(try await admin.lag(group: group, topic: topic) == [0: 4, 1: 4, 2: 4, 3: 4, 4: 4])
        let consumer = try KafkaConsumer(settings: .test(cluster, group: group), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let records = try await consumer.take(20, markProcessed: false)
        for record in records where record.partition < 2 { consumer.markProcessed(record) }
        try await consumer.commit()
        #expect(try await admin.lag(group: group, topic: topic) == [0: 0, 1: 0, 2: 4, 3: 4, 4: 4])
        await consumer.close()
    }

    /// Group offsets are read through a consumer handle of the group (`KafkaGroupOffsets`), not
    /// the Admin API's ListConsumerGroupOffsets, whose coordinator request librdkafka 2.0.2 may
    /// abort the process on when its connection drops (issue 4605): a relay did, under load.
    @Test("A group's commits read while its only broker is down: a timeout naming the group, the process alive; read again once it is up")
    func committedOffsetsAcrossAnOutage() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("commits")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        _ = try await sendAll(
            (0..<6).map { KafkaProducerRecord(topic: topic, partition: Int32($0 % 2), key: nil, value: [UInt8($0)]) },
            with: producer)
        await producer.close()
        let group = uniqueName("group")
        let consumer = try KafkaConsumer(settings: .test(cluster, group: group), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        for record in try await consumer.take(6, markProcessed: false) where record.partition == 0 { consumer.markProcessed(record) }
        try await consumer.commit()
        await consumer.close()

        var settings = cluster.settings
        settings.connectTimeout = .seconds(2)
        let admin = try KafkaAdmin(settings: settings, logger: testLogger)
        let partitions = [KafkaTopicPartition(topic: topic, partition: 0), KafkaTopicPartition(topic: topic, partition: 1)]
        let committed = [KafkaTopicPartition(topic: topic, partition: 0): Int64(3)]
        #expect(try await admin.committedOffsets(group: group, partitions: partitions) == committed)

        let clock = ContinuousClock()
        let down = clock.now
        await cluster.takeBrokerDown(1)
        for _ in 0..<3 {
            let error = try await #require(throws: KafkaError.self) {
                try await admin.committedOffsets(group: group, partitions: partitions)
            }
            #expect(error.code == .timedOut, "\(error)")
            #expect(error.message.contains(group), "\(error)")
        }
        print("three reads while down: \(clock.now - down)")
        await cluster.bringBrokerUp(1)
        let up = clock.now
        var again: [KafkaTopicPartition: Int64]?
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while again == nil, ContinuousClock.now < deadline {
            again = try? await admin.committedOffsets(group: group, partitions: partitions)
        }
        print("read again \(clock.now - up) after the broker came up")
        #expect(again == committed)
    }

    @Test("Offsets of a topic that does not exist: a named error")
    func unknownTopicOffsets() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        let error = try await #require(throws: KafkaError.self) {
            try await admin.partitionOffsets(topic: "no-such-topic")
        }
        #expect(error.code == .unknownTopicOrPartition)
        #expect(error.message.contains("no-such-topic"))
    }

    @Test("A topic request librdkafka refuses is named before anything is sent")
    func invalidTopicSpec() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        let error = try await #require(throws: KafkaError.self) {
            try await admin.createTopics([KafkaTopicSpec(name: "docrelay.in.x", partitions: 0, replicationFactor: 1)])
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("docrelay.in.x"))
    }

    @Test("CreateAcls: every operation of the plan is one librdkafka accepts; the embedded cluster (which lacks CreateAcls) is a named error, not a crash or a hang")
    func createAclsOnTheMockFailsClearly() async throws {
        for operation in ["Read", "Write", "Describe", "DescribeConfigs"] {
            #expect(KafkaAclBinding.librdkafkaOperation(operation) != nil, "\(operation)")
        }
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: testLogger)
        let bindings = [
            KafkaAclBinding(resourceType: .topic, name: "docrelay.out.", patternType: .prefixed, principal: "User:relay-national", operation: "Read"),
            KafkaAclBinding(resourceType: .group, name: "docrelay-agent-000.00.00.G22", patternType: .literal, principal: "User:000.00.00.G22", operation: "Read"),
        ]
        let start = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) { try await admin.createAcls(bindings) }
        #expect(!error.message.isEmpty, "the mock times out waiting for a controller, as for CreateTopics")
        #expect(ContinuousClock.now - start < .seconds(40))
        let unknown = try await #require(throws: KafkaError.self) {
            try await admin.createAcls([KafkaAclBinding(resourceType: .topic, name: "t", patternType: .literal, principal: "User:x", operation: "Fly")])
        }
        #expect(unknown.message.contains("unknown operation 'Fly'"))
        _ = cluster
    }

    @Test("CreateTopics on the embedded cluster (which lacks it) fails with a named error, not a hang")
    func createTopicsOnTheMockFailsClearly() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        var settings = cluster.settings
        settings.connectTimeout = .seconds(2)
        let admin = try KafkaAdmin(settings: settings, logger: testLogger)
        let error = try await #require(throws: KafkaError.self) {
            try await within(.seconds(30), "CreateTopics") {
                try await admin.createTopics([KafkaTopicSpec(name: "t", partitions: 1, replicationFactor: 1)])
            }
        }
        #expect(error.code == .timedOut, "\(error)")
    }
}
