import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle

/// The acceptance ledger topic not found (or not readable) when the relay starts: it does not
/// take records without it (a replay would be delivered again). `docrelay relay` exits 2.
public struct LedgerUnavailable: Error, Sendable, CustomStringConvertible {
    public let topic: String
    public let reason: String

    public var description: String {
        "the acceptance ledger \(topic) cannot be read (\(reason)); create it with `docrelay provision`"
    }
}

/// Reads the acceptance ledger topic into an `AcceptanceLedger` and keeps following it
/// (contract, "Transport identity"): at start, every entry up to the high watermarks taken then
/// (`load`, without a consumer group), before the relay takes any record; afterwards, the
/// entries other instances of the hub write (`follow`), as they come.
///
/// It follows in a consumer group of its own for this run (`<relay group>-ledger-<uuid>`, under
/// the relay's group ACL prefix), from the earliest offset, so that every start reads the
/// whole ledger; the offsets it commits there are never read again, and Kafka forgets the
/// group once it is empty for `offsets.retention.minutes`.
struct AcceptanceLedgerFollower: Sendable {
    let ledger: AcceptanceLedger
    let topic: String
    let consumer: KafkaConsumer
    let logger: Logger

    /// Reads the whole ledger as it is now (`KafkaTopicReader`: no group to join, so the relay
    /// joins its own group as soon as without a ledger), then subscribes the consumer that
    /// follows it. A topic that does not exist throws `LedgerUnavailable`.
    static func load(
        topic: String, keep: Duration, settings: KafkaSettings, group: String, sessionTimeout: Duration, logger: Logger
    ) async throws -> AcceptanceLedgerFollower {
        let ledger = AcceptanceLedger(keep: keep)
        do {
            let reader = try await KafkaTopicReader.connect(settings: settings, logger: logger)
            do {
                var skipped = 0
                for try await record in reader.records(of: topic) {
                    if let entry = AcceptanceEntry.decode(key: record.key, value: record.value) {
                        ledger.learn([entry], now: Date())
                    } else {
                        skipped += 1
                    }
                }
                if skipped > 0 {
                    logger.warning("Acceptance ledger records that are not entries were skipped", metadata: [
                        LogKey.topic: "\(topic)", LogKey.ledgerEntries: "\(skipped)",
                    ])
                }
            } catch {
                await reader.close()
                throw error
            }
            await reader.close()
        } catch let error as KafkaError where [.unknownTopicOrPartition, .unknownTopic, .topicAuthorizationFailed].contains(error.code) {
            throw LedgerUnavailable(topic: topic, reason: "\(error.code.name): \(error.message)")
        }
        ledger.markLoaded()
        logger.notice("Acceptance ledger loaded", metadata: [LogKey.topic: "\(topic)", LogKey.ledgerEntries: "\(ledger.count)"])
        // Following from the earliest offset again: what was loaded is learnt twice (harmless),
        // and nothing written since the load is missed.
        var consumerSettings = KafkaConsumerSettings(connection: settings, groupID: "\(group)-ledger-\(UUID().uuidString.lowercased())")
        consumerSettings.startOffset = .earliest
        consumerSettings.sessionTimeout = sessionTimeout
        let consumer = try KafkaConsumer(settings: consumerSettings, logger: logger)
        try consumer.subscribe(topics: [topic])
        return AcceptanceLedgerFollower(ledger: ledger, topic: topic, consumer: consumer, logger: logger)
    }

    /// Learns every entry the consumer reads, until shutdown.
    private func read() async throws {
        for try await record in consumer.records.cancelOnGracefulShutdown() {
            if let entry = AcceptanceEntry.decode(key: record.key, value: record.value) {
                ledger.learn([entry], now: Date())
            } else {
                logger.warning(
                    "An acceptance ledger record is not an entry; skipped",
                    metadata: [LogKey.topic: "\(record.topic)", LogKey.partition: "\(record.partition)"])
            }
            consumer.markProcessed(record)
        }
    }

    /// Follows the ledger until shutdown (entries of the hub's other relay instances), then
    /// leaves its group.
    func follow() async throws {
        do {
            try await read()
        } catch is CancellationError {
        } catch {
            await consumer.close(draining: false)
            throw error
        }
        await consumer.close(draining: false)
    }
}
