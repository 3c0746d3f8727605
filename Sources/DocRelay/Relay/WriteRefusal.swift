import DocRelayCore
import DocRelayKafka

/// A relay record the broker (or the client) refused for good: sending the same record again
/// cannot succeed, so `DurableWriter` hands it back instead of retrying it forever (issue 10).
struct WriteRefusal: Sendable {
    let record: KafkaProducerRecord
    let error: KafkaError

    /// Codes after which the same record can never be written: too large for the client or the
    /// broker (`MSG_SIZE_TOO_LARGE`, `RECORD_LIST_TOO_LARGE`, `INVALID_MSG_SIZE`), invalid or
    /// corrupt, not authorised, or to a topic that does not exist (`UNKNOWN_TOPIC_OR_PART`,
    /// `_UNKNOWN_TOPIC`, `_UNKNOWN_PARTITION`: the relay's own topics are provisioned, never
    /// created by a write; a broker that is away fails with a timeout or transport error instead).
    static let permanentCodes: Set<KafkaError.Code> = [
        .messageSizeTooLarge, .recordListTooLarge, .invalidMessageSize, .invalidRecord, .badMessage, .corruptMessage,
        .topicAuthorizationFailed, .unknownTopicOrPartition, .unknownTopic, .unknownPartition, .invalidArgument,
    ]

    /// Whether a failed write of a relay record is refused for good.
    static func isPermanent(_ error: KafkaError) -> Bool { permanentCodes.contains(error.code) }

    /// What happens next to a record refused for good, so that every record reaches a terminal
    /// state in bounded time.
    enum Step: Equatable, Sendable {
        /// A dead letter refused: write `DeadLetter.minimal` in its place.
        case minimalDeadLetter
        /// A retry (of a document or an ack) refused: dead-letter it `exhausted`, naming the tier.
        case deadLetterInstead(reason: String)
        /// Nothing smaller can be written (a minimal dead letter or an event refused): the hub
        /// cannot record outcomes, so the relay stops with an error for a supervisor to see.
        case halt(reason: String)
    }

    /// The step for this refusal. Pure.
    func step(topics: TopicNames, tiers: [RetryTier]) -> Step {
        let why = "\(error.code.name): \(error.message)"
        if record.topic == topics.deadLetters {
            return DeadLetter.isMinimal(record)
                ? .halt(reason: "the dead-letter topic \(record.topic) refused even a minimal dead letter (\(why))")
                : .minimalDeadLetter
        }
        if tiers.contains(where: { topics.retry($0) == record.topic }) {
            let missing = [.unknownTopic, .unknownTopicOrPartition, .unknownPartition].contains(error.code)
            return .deadLetterInstead(reason: missing
                ? "retry topic \(record.topic) does not exist (\(why))"
                : "retry topic \(record.topic) refused the record (\(why))")
        }
        return .halt(reason: "\(record.topic) refused a relay record (\(why))")
    }
}
