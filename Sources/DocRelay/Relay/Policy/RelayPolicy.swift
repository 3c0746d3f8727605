import DocRelayCore
import DocRelayKafka
import Foundation

/// The relay's rules for one record, as values (docs/relay.md, "What happens to a record"):
///
/// - `admit` takes a record, its verification verdict and one directory snapshot, and says what
///   to do: refuse it (a `RelaySettlement` with its dead letter), or attempt its deliveries to
///   inboxes here and its forwards to next hubs (a `RelayDelivery`);
/// - `settle` takes those attempts' outcomes and says what to write: events, retry records,
///   dead letters, acks to sign and send, and the decisions to count and log;
/// - `settleAcks` does the same for the acks' own outcomes, `settleRefusedRetry` for a retry
///   record the broker refused for good.
///
/// Pure: no Kafka I/O, no clock (every time is the `now` passed in, a record's processing
/// time), no metrics, no logs. `RecordHandler` carries out what it decides.
struct RelayPolicy: Sendable {
    /// This hub's id in the directory (in `dr-hop`, events and routing).
    let hubID: String
    /// This relay process's name (in `dr-hop` and events).
    let instance: String
    let topics: TopicNames
    /// The retry tiers in order: a record's `dr-attempt` n (0 first) goes next to `tiers[n]`.
    let tiers: [RetryTier]
    /// A record older than this since `dr-created` is not retried again (whole seconds count).
    let maxAge: Duration
    let limits: EnvelopeLimits
    /// A record that has passed this many hubs is a loop: dead-lettered `malformed`.
    let maxHops: Int

    /// `duration` in seconds, fractions included.
    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `time` as events and relay headers write it: RFC 3339 UTC with milliseconds.
    static func timestamp(_ time: Date) -> String {
        RFC3339.format(time, fractionalDigits: 3)
    }

    /// This hub's `dr-hop` value at `now`: `<hub>/<instance>/<RFC 3339>`.
    func hop(at now: Date) -> KafkaHeader {
        KafkaHeader(name: HeaderName.hop, string: "\(hubID)/\(instance)/\(Self.timestamp(now))")
    }

    /// An event about `signed`, read from `record`: its kind, sender, recipients and place.
    func event(_ kind: RelayEvent.Kind, for signed: SignedHeaders, record: KafkaRecord, now: Date) -> RelayEvent {
        var event = RelayEvent(event: kind, id: signed.id, hub: hubID, instance: instance, at: Self.timestamp(now))
        event.kind = signed.kind.rawValue
        event.from = signed.from
        event.to = signed.to
        event.topic = record.topic
        event.partition = record.partition
        event.offset = record.offset
        return event
    }

    /// The record of `event` for `<prefix>.events`, keyed by the document id.
    func encoded(_ event: RelayEvent) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topics.events, key: Array(event.id.utf8), value: event.encoded(),
            headers: [KafkaHeader(name: HeaderName.id, string: event.id)])
    }

    /// The acks `signed`'s sender gets, one per recipient: none for a record that is an ack
    /// itself, nor for a hub's own records (`dr-from: hub:<id>`).
    func acks(
        for signed: SignedHeaders, recipients: [String], outcome: AckMessage.Outcome, reason: String?
    ) -> [AckRequest] {
        guard signed.hubSender == nil, signed.kind != .ack else { return [] }
        return recipients.map { AckRequest(document: signed, recipient: $0, outcome: outcome, reason: reason) }
    }
}
