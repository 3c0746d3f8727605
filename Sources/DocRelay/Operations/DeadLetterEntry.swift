public import DocRelayKafka
public import Foundation

/// A dead letter as operators see it: the record, when it was dead-lettered and the replays
/// the events topic records of it.
public struct DeadLetterEntry: Sendable {
    public let letter: DeadLetter
    /// Every header of the dead-letter record, in record order (signed, relay and context).
    public let headers: [KafkaHeader]
    /// `dr-dead-lettered-at`, else the record's Kafka timestamp.
    public let time: Date?
    /// Its replays, oldest first (empty: never replayed).
    public var replays: [RelayEvent]

    public init(_ record: KafkaRecord, replays: [RelayEvent] = []) {
        let letter = DeadLetter(record)
        self.letter = letter
        self.headers = record.headers
        self.time = letter.deadLetteredAt
            ?? record.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        self.replays = replays
    }

    public var isReplayed: Bool { !replays.isEmpty }

    /// Whether `selector` names this dead letter: its document id or its location.
    public func isNamed(by selector: String) -> Bool {
        letter.id == selector || letter.location == selector
    }

    /// Every agency this dead letter concerns: its sender, recipients and pending recipients.
    public var agencies: Set<String> {
        var codes = Set(letter.to)
        if let from = letter.from { codes.insert(from) }
        codes.formUnion(letter.pendingTo ?? [])
        return codes
    }
}
