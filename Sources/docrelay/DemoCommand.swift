import ArgumentParser
import DocRelayKafka
import Foundation
import Logging

/// `docrelay demo`: one command, no setup. For now: an embedded Kafka, one record with a key and
/// headers sent, read back by a consumer group, compared byte for byte, committed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run DocRelay's demonstration on an embedded Kafka (or on --bootstrap-servers).")

    @OptionGroup var kafka: KafkaConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.demo")
        // Options are checked before anything starts.
        var settings = try kafka.settings(bootstrap: kafka.bootstrapServers ?? "")
        var cluster: EmbeddedKafkaCluster?
        if kafka.bootstrapServers == nil {
            do {
                cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
            } catch {
                throw CommandFailure.operation("cannot start the embedded broker: \(error)")
            }
            settings.bootstrapServers = cluster.map { [$0.bootstrapServers] } ?? []
            step("Started an embedded Kafka (librdkafka mock cluster) at \(cluster?.bootstrapServers ?? "")")
        }
        defer { withExtendedLifetime(cluster) {} }
        try await RoundTripDemo(settings: settings, cluster: cluster, logger: logger).run()
    }
}

/// The Kafka round trip shown by `docrelay demo`.
struct RoundTripDemo {
    let settings: KafkaSettings
    /// The embedded cluster, when the demo runs on one (it creates topics directly).
    let cluster: EmbeddedKafkaCluster?
    let logger: Logger
    let topic = "docrelay.demo"

    func run() async throws {
        let admin: KafkaAdmin
        let producer: KafkaProducer
        do {
            admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
            producer = try await KafkaProducer.connect(
                settings: KafkaProducerSettings(connection: settings), logger: logger)
        } catch let error as KafkaError {
            throw error.startupFailure
        }
        do {
            if let cluster {
                try cluster.createTopic(topic, partitions: 3)
                step("Created topic \(topic) (3 partitions)")
            } else if try await admin.listTopics().contains(where: { $0.name == topic }) {
                step("Topic \(topic) exists")
            } else {
                let topics = try await admin.createTopics([
                    KafkaTopicSpec(name: topic, partitions: 3, replicationFactor: 1)
                ])
                step(topics.created.isEmpty ? "Topic \(topic) exists" : "Created topic \(topic) (3 partitions)")
            }

            let id = "demo-\(UUID().uuidString.lowercased())"
            let value = Array("<edXML>Công văn số 1/UBND: demo của DocRelay</edXML>".utf8)
            let sent = KafkaProducerRecord(
                topic: topic, key: Array(id.utf8), value: value,
                headers: [
                    KafkaHeader(name: "dr-id", string: id),
                    KafkaHeader(name: "dr-kind", string: "edoc"),
                    KafkaHeader(name: "dr-from", string: "000.00.00.H58"),
                    KafkaHeader(name: "dr-to", string: "000.00.32.H53"),
                ])
            let report = try await producer.send(sent)
            step("Sent \(id) (\(value.count) bytes, 4 headers); the broker acknowledged it at \(topic)[\(report.partition)]@\(report.offset)")
            await producer.close()

            var consumerSettings = KafkaConsumerSettings(connection: settings, groupID: "docrelay-\(id)")
            consumerSettings.sessionTimeout = .seconds(6)
            let consumer = try KafkaConsumer(settings: consumerSettings, logger: logger)
            try consumer.subscribe(topics: [topic])
            step("Consumer group \(consumerSettings.groupID) joined; waiting for the record...")
            let received = try await firstRecord(keyed: id, from: consumer, within: .seconds(30))
            let equal = received.value == sent.value && received.key == sent.key
                && received.headers == sent.headers
            step("Received \(id) from \(received.topic)[\(received.partition)]@\(received.offset): " +
                 (equal ? "key, value and headers equal byte for byte" : "DIFFERENT from what was sent"))
            consumer.markProcessed(received)
            let committed = try await consumer.commit()
            step("Committed \(committed.map { "\($0.key)@\($0.value)" }.sorted().joined(separator: ", "))")
            await consumer.close()
            guard equal else { throw CommandFailure.operation("the record read back differs from the one sent") }
            print("""

                Demo complete. To look for yourself, keep a broker running with
                  docrelay broker --topic \(topic):3
                and read it with kcat:  kcat -b <bootstrap> -C -t \(topic) -J -e
                """)
        } catch let error as KafkaError {
            throw CommandFailure.operation(error.description)
        }
    }

    private func firstRecord(keyed id: String, from consumer: KafkaConsumer, within timeout: Duration) async throws -> KafkaRecord {
        try await withThrowingTaskGroup(of: KafkaRecord?.self) { group in
            group.addTask {
                for try await record in consumer.records where record.key == Array(id.utf8) {
                    return record
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let record = first else {
                throw CommandFailure.operation("the record did not come back within \(timeout)")
            }
            return record
        }
    }
}

func step(_ text: String) {
    print("• \(text)")
    fflush(nil)
}
