@testable import DocRelayKafka
import Foundation
import DocRelayTestSupport
import Testing

@Suite("Configuration checked at start")
struct ConfigurationTests {
    private let settings = KafkaSettings(bootstrap: "127.0.0.1:9092")

    @Test("An unknown librdkafka property is an error naming it")
    func unknownProperty() throws {
        var connection = settings
        connection.properties["no.such.property"] = "1"
        let error = try #require(throws: KafkaError.self) {
            try KafkaProducer(settings: KafkaProducerSettings(connection: connection), logger: testLogger)
        }
        #expect(error.code == .invalidArgument)
        #expect(error.property == "no.such.property")
        #expect(error.message.contains("unknown librdkafka property 'no.such.property'"))
        #expect(!error.isRetriable)
    }

    @Test("A refused value names the property and the value")
    func invalidValue() throws {
        var connection = settings
        connection.properties["security.protocol"] = "carrier-pigeon"
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer(settings: KafkaConsumerSettings(connection: connection, groupID: "g"), logger: testLogger)
        }
        #expect(error.property == "security.protocol")
        #expect(error.message.contains("'carrier-pigeon'"))
    }

    @Test("A secret value never appears in an error message")
    func secretHidden() {
        #expect(RDKafkaConfig.shown("hunter2", of: "sasl.password") == "(hidden)")
        #expect(RDKafkaConfig.shown("hunter2", of: "ssl.key.password") == "(hidden)")
        #expect(RDKafkaConfig.shown("-----BEGIN", of: "ssl.key.pem") == "(hidden)")
        #expect(RDKafkaConfig.shown("SSL", of: "security.protocol") == "'SSL'")
    }

    @Test("Settings that contradict DocRelay's guarantees are refused by librdkafka, not ignored")
    func contradictoryAcks() throws {
        var connection = settings
        connection.properties["acks"] = "1"
        let error = try #require(throws: KafkaError.self) {
            try KafkaProducer(settings: KafkaProducerSettings(connection: connection), logger: testLogger)
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("acks") || error.message.contains("idempotence"))
    }

    @Test("An unreachable bootstrap address fails within the connect timeout, retriable, naming the address")
    func unreachableBootstrap() async throws {
        var unreachable = KafkaSettings(bootstrap: "127.0.0.1:1")
        unreachable.connectTimeout = .seconds(2)
        let connection = unreachable
        let started = ContinuousClock.now
        let error = try await #require(throws: KafkaError.self) {
            try await within(.seconds(90), "connect to an unreachable cluster") {
                try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: connection), logger: testLogger)
            }
        }
        // The connect timeout is 2 s; the bound only says "no hang" (the whole suite shares two cores).
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(error.isRetriable)
        #expect(error.message.contains("127.0.0.1:1"))
    }

    @Test("Bootstrap lists are split and trimmed; typed settings become librdkafka properties")
    func propertiesFromSettings() {
        let connection = KafkaSettings(bootstrap: " a:1, b:2 ,,c:3")
        #expect(connection.bootstrapServers == ["a:1", "b:2", "c:3"])
        var producer = KafkaProducerSettings(connection: connection)
        producer.linger = .milliseconds(7)
        let props = Dictionary(producer.librdkafkaProperties, uniquingKeysWith: { _, last in last })
        #expect(props["enable.idempotence"] == "true")
        #expect(props["acks"] == "all")
        #expect(props["linger.ms"] == "7")
        #expect(props["bootstrap.servers"] == "a:1,b:2,c:3")
        var consumer = KafkaConsumerSettings(connection: connection, groupID: "relay")
        consumer.sessionTimeout = .seconds(6)
        let consumerProps = Dictionary(consumer.librdkafkaProperties, uniquingKeysWith: { _, last in last })
        #expect(consumerProps["enable.auto.commit"] == "false")
        #expect(consumerProps["enable.auto.offset.store"] == "false")
        #expect(consumerProps["session.timeout.ms"] == "6000")
        #expect(consumerProps["group.id"] == "relay")
    }
}
