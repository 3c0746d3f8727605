import DocRelayCore
import DocRelayKafka
import Foundation

/// What to write and report for one record once nothing more is to be attempted for it.
///
/// The executor signs `acks`, reports `decisions` in order (signing each one's negative acks
/// first), writes `writes` (durable before the record is committed) while it sends the positive
/// acks, and sends the negative acks once `writes` are durable: an ack reports only what is.
struct RelaySettlement: Sendable {
    /// Events, retry records and dead letters, in the order to write them (one document's records
    /// land in their partition in this order).
    var writes: [KafkaProducerRecord] = []
    /// Positive acks, one per recipient delivered here.
    var acks: [AckRequest] = []
    /// What was decided, in order: for metrics and logs.
    var decisions: [RelayDecision] = []

    /// The negative acks of every decision, in order.
    var negativeAcks: [AckRequest] { decisions.flatMap(\.negativeAcks) }
}

/// One decision of the policy, as the executor counts it (`RelayMetrics`) and logs it.
enum RelayDecision: Sendable, Equatable {
    /// Written to a recipient's inbox here (counted `delivered`, with its end-to-end latency
    /// from `created`, the document's `dr-created`, to when it is reported).
    case delivered(recipient: String, created: Date)
    /// Written to the next hub's `hub.<id>` topic (counted `forwarded`).
    case forwarded(hub: String)
    /// Sent to a retry tier after a passing failure (counted `retried`; logged at notice).
    case retried(tier: RetryTier, id: String, reason: String)
    /// Dead-lettered, `exhausted` or `recipient` (counted; logged at warning "Dead-lettered"),
    /// with the negative acks to send once the dead letter is durable.
    case deadLettered(ErrorClass, id: String, reason: String, negativeAcks: [AckRequest])
    /// Refused and dead-lettered (counted; logged at warning "Refused and dead-lettered" with
    /// the topic read), with the negative acks to an authentic sender.
    case refused(ErrorClass, id: String, reason: String, topic: String, negativeAcks: [AckRequest])
    /// Not delivered again: a replay of the record of its identity accepted at `firstAccepted`
    /// from `first` (`<topic>/<partition>/<offset>`), read again on `topic` (counted
    /// `docrelay_duplicates_total{kind="replay"}`; logged at info).
    case duplicate(id: String, from: String, firstAccepted: String, first: String, topic: String)
    /// An ack written (counted `acked`).
    case acked
    /// An ack whose inbox could not be written, sent to the first retry tier (counted `retried`).
    case ackRetried(tier: RetryTier)

    /// The negative acks this decision owes the sender.
    var negativeAcks: [AckRequest] {
        switch self {
        case .deadLettered(_, _, _, let acks), .refused(_, _, _, _, let acks): acks
        default: []
        }
    }
}
