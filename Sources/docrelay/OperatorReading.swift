import DocRelay
import DocRelayCore
import DocRelayKafka
import Logging

/// How operators' commands read a hub, with failures mapped to the exit codes: a cluster that
/// does not answer or a refused property is a usage problem (2), a failed read an operation's (1).
enum OperatorReading {
    static func connect(_ hub: OperatorHub, logger: Logger) async throws -> KafkaTopicReader {
        do {
            return try await KafkaTopicReader.connect(settings: hub.kafka, logger: logger)
        } catch let error as KafkaError {
            throw error.startupFailure
        }
    }

    /// The hub's dead letters and events.
    static func records(_ hub: OperatorHub, with reader: KafkaTopicReader) async throws -> HubRecords {
        do {
            return try await HubRecords.read(hub, with: reader)
        } catch let error as KafkaError {
            throw CommandFailure.operation("reading \(hub.label): \(error)")
        }
    }

    /// The records, failing (exit 1) when the dead-letter topic does not exist.
    static func deadLetters(_ hub: OperatorHub, with reader: KafkaTopicReader) async throws -> HubRecords {
        let records = try await records(hub, with: reader)
        guard records.hasDeadLetterTopic else {
            throw CommandFailure.operation(
                "no topic \(hub.topics.deadLetters) at \(hub.kafka.bootstrapServers.joined(separator: ",")): check the topic prefix, or create the hub's topics with `docrelay provision`")
        }
        if !records.hasEventsTopic {
            printError("docrelay: note: no topic \(hub.topics.events): replays cannot be known")
        }
        return records
    }
}
