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
/// (`load`), before the relay takes any record; afterwards, the entries other instances of the
/// hub write (`follow`), as they come.
///
/// It reads in a consumer group of its own for this run (`<relay group>-ledger-<uuid>`, under
/// the relay's group ACL prefix), from the earliest offset, so that every start reads the
/// whole ledger; the offsets it commits there are never read again, and Kafka forgets the
/// group once it is empty for `offsets.retention.minutes`.
struct AcceptanceLedgerFollower: Sendable {
    let ledger: AcceptanceLedger
    let topic: String
    let consumer: KafkaConsumer
    let logger: Logger

    /// Connects, takes the ledger's high watermarks and reads up to them. A topic that does not
    /// exist throws `LedgerUnavailable`.
    static func load(
        topic: String, keep: Duration, settings: KafkaSettings, group: String, sessionTimeout: Duration, logger: Logger
    ) async throws -> AcceptanceLedgerFollower {
        let ledger = AcceptanceLedger(keep: keep)
        let highs: [Int32: Int64]
        do {
            let admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
            highs = Dictionary(
                uniqueKeysWithValues: try await admin.partitionOffsets(topic: topic).filter { $0.high > $0.low }.map { ($0.partition, $0.high) })
        } catch let error as KafkaError where [.unknownTopicOrPartition, .unknownTopic, .topicAuthorizationFailed].contains(error.code) {
            throw LedgerUnavailable(topic: topic, reason: "\(error.code.name): \(error.message)")
        }
        var consumerSettings = KafkaConsumerSettings(connection: settings, groupID: "\(group)-ledger-\(UUID().uuidString.lowercased())")
        consumerSettings.startOffset = .earliest
        consumerSettings.sessionTimeout = sessionTimeout
        let consumer = try KafkaConsumer(settings: consumerSettings, logger: logger)
        try consumer.subscribe(topics: [topic])
        let follower = AcceptanceLedgerFollower(ledger: ledger, topic: topic, consumer: consumer, logger: logger)
        do {
            try await follower.read(until: highs)
        } catch {
            await consumer.close(draining: false)
            throw error
        }
        ledger.markLoaded()
        logger.notice("Acceptance ledger loaded", metadata: [LogKey.topic: "\(topic)", LogKey.ledgerEntries: "\(ledger.count)"])
        return follower
    }

    /// Reads entries until every partition in `highs` reached its high watermark (all of them,
    /// with `highs` nil: following until shutdown).
    private func read(until highs: [Int32: Int64]?) async throws {
        var remaining = highs ?? [:]
        guard highs == nil || !remaining.isEmpty else { return }
        for try await record in consumer.records.cancelOnGracefulShutdown() {
            if let entry = AcceptanceEntry.decode(key: record.key, value: record.value) {
                ledger.learn([entry], now: Date())
            } else {
                logger.warning(
                    "An acceptance ledger record is not an entry; skipped",
                    metadata: [LogKey.topic: "\(record.topic)", LogKey.partition: "\(record.partition)"])
            }
            consumer.markProcessed(record)
            guard highs != nil else { continue }
            if let high = remaining[record.partition], record.offset >= high - 1 {
                remaining[record.partition] = nil
                if remaining.isEmpty { return }
            }
        }
    }

    /// Follows the ledger until shutdown (entries of the hub's other relay instances), then
    /// leaves its group.
    func follow() async throws {
        do {
            try await read(until: nil)
        } catch is CancellationError {
        } catch {
            await consumer.close(draining: false)
            throw error
        }
        await consumer.close(draining: false)
    }
}
