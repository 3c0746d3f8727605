@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("A broker that goes away and comes back")
struct BrokerOutageTests {
    @Test("Sends in flight while the broker is down all complete once it is back: none lost, none twice")
    func sendsSurviveAnOutage() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("outage")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)

        let total = 300
        let completions = LockedValue<[Int: Int]>([:])  // index -> how many times send returned
        let reports = try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
            for index in 0..<total {
                if index == 100 {
                    await cluster.takeBrokerDown(1)
                }
                if index == 200 {
                    // Records 100..<300 were handed over while the broker was down.
                    try await Task.sleep(for: .seconds(3))
                    await cluster.bringBrokerUp(1)
                }
                group.addTask {
                    let report = try await producer.send(KafkaProducerRecord(
                        topic: topic, key: Array("k\(index)".utf8), value: Array("v\(index)".utf8)))
                    completions.withLock { $0[index, default: 0] += 1 }
                    return report
                }
                if index < 100 { try await Task.sleep(for: .milliseconds(2)) }
            }
            var all: [KafkaDeliveryReport] = []
            for try await report in group { all.append(report) }
            return all
        }
        await producer.close()

        #expect(reports.count == total)
        #expect(completions.withLock { $0.count == total && $0.values.allSatisfy { $0 == 1 } })
        #expect(Set(reports.map { "\($0.partition)@\($0.offset)" }).count == total)

        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("g")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let records = try await consumer.take(total)
        #expect(try await consumer.extra(during: .seconds(2)).isEmpty)
        await consumer.close()
        let keys = records.map { String(decoding: $0.key ?? [], as: UTF8.self) }
        let difference = setDifference(keys, (0..<total).map { "k\($0)" })
        #expect(difference.isEmpty, "\(difference)")
        #expect(keys.count == total, "no record written twice")
    }

    @Test("Produce errors injected by the broker are retried by the client without duplicates")
    func injectedProduceErrors() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("inject")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        cluster.pushRequestErrors(
            apiKey: EmbeddedKafkaCluster.APIKey.produce,
            [.init(rawValue: 7), .init(rawValue: 6), .init(rawValue: 19)])  // timeout, not leader, not enough replicas
        let records = (0..<50).map {
            KafkaProducerRecord(topic: topic, key: Array("k\($0)".utf8), value: Array("v\($0)".utf8))
        }
        let reports = try await sendAll(records, with: producer, width: 1)
        await producer.close()
        #expect(reports.map(\.offset) == (0..<50).map { Int64($0) })
    }
}
