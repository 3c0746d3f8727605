import DocRelayCore
public import DocRelayKafka
public import Foundation

/// An operator's replay of dead letters (`docrelay dlq replay`): each selected dead letter not
/// replayed yet is written into the hub's first retry tier, due now (`DeadLetter.replayRecord`),
/// where the relay takes it up again; then a `replayed` event naming the dead letter's location
/// is written to the events topic. Both writes wait for the broker's acknowledgement, the retry
/// record first: an event is never written for a replay that did not happen, and the event is
/// what makes a second replay of the same dead letter a no-op. A dead letter whose value is not
/// the document signed (cut when it was dead-lettered, or altered: `DeadLetter.replayRefusal`)
/// is refused, whatever `force` says: written again it could only be refused as `signature`.
public struct DeadLetterReplay: Sendable {
    /// What becomes of one selected dead letter.
    public enum Outcome: Sendable {
        /// Written to the retry tier (`record`) and recorded in the events topic (`event`).
        case replayed(DeadLetterEntry, record: KafkaDeliveryReport, event: KafkaDeliveryReport)
        /// Replayed before (the time of the last replay): nothing written.
        case alreadyReplayed(DeadLetterEntry, at: String)
        /// Cannot be replayed, and why: nothing written, `--force` or not.
        case refused(DeadLetterEntry, reason: String)
        /// `--dry-run`: would be written to this topic.
        case wouldReplay(DeadLetterEntry, target: String)
        /// A write failed; `recordWritten` says whether the retry record was written before the
        /// event failed (then the replay will happen but is not recorded).
        case failed(DeadLetterEntry, reason: String, recordWritten: Bool)
    }

    /// The instance name of events written by operators.
    public static let instance = "docrelay-dlq"

    public let hub: OperatorHub
    /// Replay dead letters that were replayed already.
    public var force: Bool

    public init(hub: OperatorHub, force: Bool = false) {
        self.hub = hub
        self.force = force
    }

    /// The retry topic replays go to.
    public var target: String { hub.topics.retry(hub.replayTier) }

    /// The outcome without writing anything: refused, already replayed, or would be replayed.
    public func dryRun(_ entries: [DeadLetterEntry]) -> [Outcome] {
        entries.map { entry in
            if let done = skipped(entry) { return done }
            return .wouldReplay(entry, target: target)
        }
    }

    /// Replays `entries` with `producer`, at most `width` at a time; outcomes in input order.
    public func run(_ entries: [DeadLetterEntry], producer: KafkaProducer, width: Int = 32, now: @escaping @Sendable () -> Date = Date.init) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var outcomes = [Outcome?](repeating: nil, count: entries.count)
            var next = 0
            func launch() {
                let index = next
                let entry = entries[index]
                next += 1
                group.addTask { (index, await replay(entry, producer: producer, at: now())) }
            }
            while next < min(max(width, 1), entries.count) { launch() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                if next < entries.count { launch() }
            }
            return outcomes.compactMap { $0 }
        }
    }

    /// One replay: refused when it cannot be, skipped when done before (unless forced), else the
    /// record then the event.
    func replay(_ entry: DeadLetterEntry, producer: KafkaProducer, at time: Date) async -> Outcome {
        if let done = skipped(entry) { return done }
        let record = entry.letter.replayRecord(topics: hub.topics, tier: hub.replayTier, at: time)
        let recordReport: KafkaDeliveryReport
        do {
            recordReport = try await producer.send(record)
        } catch {
            return .failed(entry, reason: "\(record.topic): \(error)", recordWritten: false)
        }
        let event = self.event(for: entry, at: time)
        do {
            let eventReport = try await producer.send(KafkaProducerRecord(
                topic: hub.topics.events, key: Array(event.id.utf8), value: event.encoded()))
            return .replayed(entry, record: recordReport, event: eventReport)
        } catch {
            return .failed(entry, reason: "\(hub.topics.events): \(error)", recordWritten: true)
        }
    }

    /// The `replayed` event of a replay of `entry` at `time`.
    public func event(for entry: DeadLetterEntry, at time: Date) -> RelayEvent {
        let letter = entry.letter
        var event = RelayEvent(
            event: .replayed, id: letter.id, hub: hub.eventHub, instance: Self.instance,
            at: RFC3339.format(time, fractionalDigits: 3))
        event.kind = letter.kind
        event.from = letter.from
        event.to = letter.pendingTo ?? (letter.to.isEmpty ? nil : letter.to)
        event.topic = letter.topic
        event.partition = letter.partition
        event.offset = letter.offset
        event.target = target
        event.attempt = 0
        event.notBefore = event.at
        event.errorClass = letter.errorClass
        event.deadLetter = letter.location
        return event
    }

    private func skipped(_ entry: DeadLetterEntry) -> Outcome? {
        if let refusal = entry.letter.replayRefusal { return .refused(entry, reason: refusal) }
        guard !force, let last = entry.replays.last else { return nil }
        return .alreadyReplayed(entry, at: last.at)
    }
}
