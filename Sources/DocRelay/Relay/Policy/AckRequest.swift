import DocRelayCore
import DocRelayKafka

/// An ack the policy asks for: to `document`'s sender, about one recipient. The executor signs
/// it with the hub's certificate (`AckFactory`), which makes it an `OutgoingAck`.
struct AckRequest: Sendable, Equatable {
    /// The headers of the document acknowledged.
    let document: SignedHeaders
    /// The recipient this ack is about (an agency code of `dr-to`).
    let recipient: String
    /// `delivered`, or `failed` for a negative ack.
    let outcome: AckMessage.Outcome
    /// For a negative ack: `<error class>: <reason>`.
    let reason: String?
}

/// A signed ack, ready to go to its sender's inbox (here or toward its hub).
struct OutgoingAck: Sendable, Equatable {
    /// The ack record, addressed to `<prefix>.in.<sender>` of this hub.
    let record: KafkaProducerRecord
    /// The id of the document acknowledged (`dr-ref`).
    let ref: String
    /// The recipient it is about.
    let recipient: String
    /// The document's sender, to whom the ack goes.
    let sender: String
}
