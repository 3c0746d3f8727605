import DocRelayCore
import DocRelayKafka

/// What `RelayPolicy.admit` decides for one record.
enum RelayPlan: Sendable {
    /// Refused (its verdict, its topic, its path or its `dr-pending-to`): nothing to attempt;
    /// write the dead letter and its event, then the negative acks.
    case refuse(RelaySettlement)
    /// Accepted: attempt the writes, then `RelayPolicy.settle` their outcomes.
    case deliver(RelayDelivery)
    /// A replay of a record accepted before: nothing to attempt nor acknowledge; write its
    /// `duplicate` event.
    case skip(RelaySettlement)
}

/// What the acceptance ledger says of a record, as the executor looked it up (and claimed its
/// identity) before `RelayPolicy.admit`.
enum LedgerCheck: Sendable, Equatable {
    /// Not looked up: read from a hub or retry topic, or refused before it (`RelayPolicy.ledgerEntry`).
    case unchecked
    /// Its identity is new: admitted with this entry among its writes.
    case first(AcceptanceEntry)
    /// Its identity was accepted before: a replay (same `dr-sha256`) or a conflict.
    case seen(FirstAcceptance)
}

/// An accepted record's writes to attempt: into the inboxes of its recipients homed here, and
/// to the next hub toward the others; the recipients no hub leads to are dead-lettered at settle.
struct RelayDelivery: Sendable {
    /// The record read.
    let record: KafkaRecord
    /// Its signed headers, as verified.
    let signed: SignedHeaders
    /// `dr-attempt` of the record read (0 for a record not retried yet).
    let attempt: Int
    /// The `accepted` event, for a first attempt that is not an operator's replay.
    let accepted: KafkaProducerRecord?
    /// The acceptance ledger's entry, for a record accepted first from an `out` topic.
    var ledger: KafkaProducerRecord? = nil
    /// One write per recipient homed here, in `dr-to` order.
    let inboxes: [InboxWrite]
    /// One write per next hub (sorted by hub id), for all the recipients it leads to.
    let forwards: [ForwardWrite]
    /// Recipients no hub of the directory leads to, with why: no retry can help them.
    let unroutable: [RecipientFailure]
}

/// A record to write into a recipient's inbox (`<prefix>.in.<code>`).
struct InboxWrite: Sendable, Equatable {
    /// The recipient's agency code.
    let recipient: String
    let record: KafkaProducerRecord
}

/// A record to write to a next hub; its `topic` is empty: the link to that hub names it
/// (`NeighbourLinks`). Its `dr-pending-to` names `recipients`.
struct ForwardWrite: Sendable, Equatable {
    /// The next hub's id.
    let hub: String
    /// The recipients that hub is to serve, in `dr-to` order.
    let recipients: [String]
    let record: KafkaProducerRecord
}

/// A recipient not served, and why (a readable reason, for `dr-error` and events).
struct RecipientFailure: Sendable, Equatable {
    /// The recipient's agency code.
    let recipient: String
    let reason: String
}

/// What became of a `RelayDelivery`'s writes, as the executor saw them.
struct DeliveryOutcomes: Sendable {
    /// Each inbox write's outcome, by recipient; a recipient missing counts as failed ("no outcome").
    var inboxes: [String: Result<KafkaDeliveryReport, KafkaError>] = [:]
    /// Each forward's outcome, in the order they completed.
    var forwards: [ForwardOutcome] = []
}

/// The outcome of one `ForwardWrite`.
struct ForwardOutcome: Sendable {
    /// The next hub's id.
    let hub: String
    /// The recipients that hub was to serve.
    let recipients: [String]
    /// Where the record landed on that hub's cluster, or why it did not.
    let result: Result<KafkaDeliveryReport, ForwardFailure>
}
