@testable import DocRelayKafka
import Foundation
import DocRelayTestSupport
import Testing

@Suite("Consumer groups: rebalances and regex subscriptions")
struct GroupTests {
    @Test(
        "Processed work is committed before partitions move to a new member, also when the broker first refuses the commit: nothing is read twice",
        arguments: [0, 2])
    func rebalanceCommitsBeforeRevoking(refusedCommits: Int) async throws {
        let keyed = try KeyedTopic(partitions: 4)
        let (cluster, topic, producer) = (keyed.cluster, keyed.topic, keyed.producer)
        func produce(_ range: Range<Int>) async throws { try await keyed.produce(range) }
        try await produce(0..<200)

        let group = uniqueName("group")
        var settings = KafkaConsumerSettings.test(cluster, group: group)
        settings.commitInterval = .seconds(3600)  // only the rebalance may commit
        let first = try KafkaConsumer(settings: settings, logger: testLogger)
        try first.subscribe(topics: [topic])
        let firstBatch = try await first.take(200)
        #expect(first.assignment.count == 4)

        // The commit before revocation is refused first, as the mock cluster does when another
        // member's rejoin has already started the next rebalance.
        cluster.pushRequestErrors(apiKey: 8, Array(repeating: .rebalanceInProgress, count: refusedCommits))  // OffsetCommit
        let second = try KafkaConsumer(settings: settings, logger: testLogger)
        try second.subscribe(topics: [topic])
        // Both iterate from now on, collecting what they receive.
        let seen = LockedValue<[String]>([])
        let readers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in [first, second] {
                    group.addTask {
                        for try await record in consumer.records {
                            consumer.markProcessed(record)
                            seen.withLock { $0.append(String(decoding: record.key ?? [], as: UTF8.self)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        for _ in 0..<300 where second.assignment.isEmpty || first.assignment.count == 4 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(second.assignment.count > 0 && first.assignment.count < 4)
        #expect(first.assignment.isDisjoint(with: second.assignment))

        try await produce(200..<300)
        for _ in 0..<200 where seen.withLock({ $0.count }) < 100 {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))
        await producer.close()
        await first.close()
        await second.close()
        _ = try await readers.value

        let keys = firstBatch.map { String(decoding: $0.key ?? [], as: UTF8.self) } + seen.withLock { $0 }
        print("rebalance with \(refusedCommits) refused commit(s): \(keys.count) reads of 300 records")
        #expect(keys.count == 300, "each record read once: \(keys.count) reads")
        let difference = setDifference(keys, (0..<300).map { "k\($0)" })
        #expect(difference.isEmpty, "\(difference)")
    }

    @Test("A member whose assignment is lost gets the same partitions back while the broker still refuses its owed commit: it resumes after what it processed, nothing is read twice")
    func lostAndGivenBackResumesAfterProcessed() async throws {
        let keyed = try KeyedTopic(partitions: 2)
        let (cluster, topic, producer) = (keyed.cluster, keyed.topic, keyed.producer)
        func produce(_ range: Range<Int>) async throws { try await keyed.produce(range) }
        try await produce(0..<100)

        var settings = KafkaConsumerSettings.test(cluster, group: uniqueName("group"))
        settings.commitInterval = .seconds(3600)  // nothing commits but the rebalance and close()
        let consumer = try KafkaConsumer(settings: settings, logger: testLogger)
        try consumer.subscribe(topics: [topic])
        var keys = try await consumer.take(100).map { String(decoding: $0.key ?? [], as: UTF8.self) }

        // The coordinator forgets this member's generation (as after a session timeout on a
        // loaded machine): librdkafka drops the assignment as lost and rejoins. The commit owed
        // for what was processed, tried at the rebalance's end, is refused after 1.5 s, past
        // the 1 s that end waits, as when another member's rejoin starts the next rebalance at
        // once. The same partitions come back to this member, the only one.
        cluster.pushRequestErrors(apiKey: 8, broker: 1, [.rebalanceInProgress], roundTrip: .milliseconds(1500))  // OffsetCommit
        cluster.pushRequestErrors(apiKey: 12, broker: 1, [.illegalGeneration], roundTrip: .zero)  // Heartbeat
        for _ in 0..<600 where cluster.pendingRequestErrors(apiKey: 12, broker: 1) + cluster.pendingRequestErrors(apiKey: 8, broker: 1) > 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(cluster.pendingRequestErrors(apiKey: 8, broker: 1) == 0, "the owed commit was tried")
        try await Task.sleep(for: .seconds(2))
        try await produce(100..<150)
        keys += try await consumer.take(50, within: .seconds(60)).map { String(decoding: $0.key ?? [], as: UTF8.self) }
        keys += try await consumer.extra(during: .seconds(3)).map { String(decoding: $0.key ?? [], as: UTF8.self) }
        await consumer.close()
        await producer.close()

        print("lost and given back: \(keys.count) reads of 150 records")
        #expect(keys.count == 150, "each record read once: \(keys.count) reads")
        let difference = setDifference(keys, (0..<150).map { "k\($0)" })
        #expect(difference.isEmpty, "\(difference)")
    }

    @Test("A regex subscription picks up a topic created after it started")
    func regexSubscription() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let prefix = uniqueName("docrelay-out")
        try cluster.createTopic("\(prefix).000.00.00.G22", partitions: 2)
        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: ["^\(prefix.replacingOccurrences(of: ".", with: "\\."))\\..*"])

        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        try await producer.send(KafkaProducerRecord(topic: "\(prefix).000.00.00.G22", key: nil, value: [1]))
        #expect(try await consumer.take(1).map(\.value) == [[1]])

        let later = "\(prefix).000.00.00.H58"
        try cluster.createTopic(later, partitions: 1)
        try await producer.send(KafkaProducerRecord(topic: later, key: nil, value: [2]))
        await producer.close()
        let record = try #require(try await consumer.take(1, within: .seconds(30)).first)
        #expect(record.topic == later)
        #expect(record.value == [2])
        await consumer.close()
    }
}

/// A topic on an embedded cluster of its own, filled with records keyed `k<n>` (value `v<n>`).
private struct KeyedTopic {
    let cluster: EmbeddedKafkaCluster
    let topic: String
    let producer: KafkaProducer

    init(partitions: Int) throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        topic = uniqueName("group-test")
        try cluster.createTopic(topic, partitions: partitions)
        producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
    }

    /// Produces records `range`, each acknowledged.
    func produce(_ range: Range<Int>) async throws {
        _ = try await sendAll(
            range.map { KafkaProducerRecord(topic: topic, key: Array("k\($0)".utf8), value: Array("v\($0)".utf8)) },
            with: producer)
    }
}
