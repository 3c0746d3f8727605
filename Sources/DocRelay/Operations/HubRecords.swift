import DocRelayCore
public import DocRelayKafka
public import Logging

/// What operators read of one hub: its dead letters (the whole `<prefix>.dlq`) and its events
/// (the whole `<prefix>.events`), each read from the low to the high watermarks of the moment,
/// without a consumer group and without committing anything. A topic that does not exist reads
/// as empty and is said so (`hasDeadLetterTopic`, `hasEventsTopic`): whether that is an error
/// is the command's decision.
public struct HubRecords: Sendable {
    /// Every dead letter, in topic order (partition, then offset), with its replays.
    public var deadLetters: [DeadLetterEntry]
    /// Every event that decodes, in topic order.
    public var events: [RelayEvent]
    public var hasDeadLetterTopic: Bool
    /// Whether the events topic exists (without it, replays cannot be known).
    public var hasEventsTopic: Bool
    /// Records of the events topic that are not a `RelayEvent`.
    public var unreadableEvents: Int

    public init(
        deadLetters: [DeadLetterEntry], events: [RelayEvent], hasDeadLetterTopic: Bool = true, hasEventsTopic: Bool = true,
        unreadableEvents: Int = 0
    ) {
        self.deadLetters = deadLetters
        self.events = events
        self.hasDeadLetterTopic = hasDeadLetterTopic
        self.hasEventsTopic = hasEventsTopic
        self.unreadableEvents = unreadableEvents
    }

    /// The replays the events record.
    public var ledger: ReplayLedger { ReplayLedger(events: events) }

    /// Reads `hub`'s topics with a reader of its own.
    public static func read(_ hub: OperatorHub, logger: Logger) async throws -> HubRecords {
        let reader = try await KafkaTopicReader.connect(settings: hub.kafka, logger: logger)
        do {
            let records = try await read(hub, with: reader)
            await reader.close()
            return records
        } catch {
            await reader.close()
            throw error
        }
    }

    /// Reads `hub`'s topics with `reader` (one topic after the other).
    public static func read(_ hub: OperatorHub, with reader: KafkaTopicReader) async throws -> HubRecords {
        var events: [RelayEvent] = []
        var unreadable = 0
        let eventRecords = try await readIfPresent(hub.topics.events, with: reader)
        for record in eventRecords ?? [] {
            if let event = RelayEvent.decode(record.value) { events.append(event) } else { unreadable += 1 }
        }
        let ledger = ReplayLedger(events: events)
        let letterRecords = try await readIfPresent(hub.topics.deadLetters, with: reader)
        let letters = (letterRecords ?? []).map { record in
            var entry = DeadLetterEntry(record)
            entry.replays = ledger.replays(of: entry.letter.location)
            return entry
        }
        return HubRecords(
            deadLetters: letters, events: events, hasDeadLetterTopic: letterRecords != nil,
            hasEventsTopic: eventRecords != nil, unreadableEvents: unreadable)
    }

    private static func readIfPresent(_ topic: String, with reader: KafkaTopicReader) async throws -> [KafkaRecord]? {
        do {
            return try await reader.readAll(topic)
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            return nil
        }
    }
}
