import DocRelayKafka
import Foundation
import DocRelayTestSupport
import Testing

@Suite("docrelay broker: an embedded Kafka over TCP")
struct BrokerCommandTests {
    @Test("1,000 records with keys and headers round-trip through `docrelay broker`, byte for byte")
    func roundTripThroughTheBrokerProcess() async throws {
        let topic = uniqueName("itest")
        let broker = try await BrokerProcess.start(topics: ["\(topic):6"])
        let settings = KafkaSettings(bootstrap: broker.bootstrap)

        let sent = (0..<1000).map { index in
            KafkaProducerRecord(
                topic: topic, key: Array("doc-\(index)".utf8),
                value: (0..<(index % 50) * 60).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) },
                headers: [
                    KafkaHeader(name: "dr-id", string: "doc-\(index)"),
                    KafkaHeader(name: "dr-from", string: "000.00.00.G22"),
                    KafkaHeader(name: "dr-to", string: "000.00.00.H58,000.00.32.H53"),
                    KafkaHeader(name: "dr-empty", value: []),
                ])
        }
        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: settings), logger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in sent { group.addTask { try await producer.send(record) } }
            try await group.waitForAll()
        }
        await producer.close()

        let consumer = try KafkaConsumer(settings: consumerSettings(bootstrap: broker.bootstrap), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await consumer.take(1000)
        await consumer.close()

        let byKey = Dictionary(uniqueKeysWithValues: received.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) })
        #expect(byKey.count == 1000)
        for record in sent {
            let got = byKey[String(decoding: record.key ?? [], as: UTF8.self)]
            #expect(got?.value == record.value)
            #expect(got?.headers == record.headers)
        }

        let result = try await broker.stop()
        #expect(result.exitCode == 0, "broker exit: \(result.standardError)")
        #expect(result.standardOutput.contains("listening at \(broker.bootstrap)"))
        #expect(!FileManager.default.fileExists(atPath: broker.bootstrapFile), "bootstrap file removed at exit")
    }

    @Test("Bad broker options exit 2 with the option named")
    func badOptions() async throws {
        let brokers = try await runDocRelay(["broker", "--brokers", "0"])
        #expect(brokers.exitCode == 2)
        #expect(brokers.standardError.contains("--brokers"))
        let topic = try await runDocRelay(["broker", "--topic", "t:many"])
        #expect(topic.exitCode == 2)
        #expect(topic.standardError.contains("--topic t:many"))
    }
}
