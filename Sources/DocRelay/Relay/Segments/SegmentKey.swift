import DocRelayCore
import DocRelayKafka

/// One document sent in segments, as one partition holds it: where it is read and its
/// transport identity (`dr-from`, `dr-id`). Read from the raw headers, before any check, so that
/// records can be ordered as soon as they are taken.
struct SegmentKey: Hashable, Sendable, CustomStringConvertible {
    let topic: String
    let partition: Int32
    let from: String
    let id: String

    /// The key of `record` when it carries `dr-segment`; nil for a whole record.
    init?(_ record: KafkaRecord) {
        guard record.headers.contains(where: { $0.name == HeaderName.segment }) else { return nil }
        topic = record.topic
        partition = record.partition
        from = record.headers.string(named: HeaderName.from) ?? ""
        id = record.headers.string(named: HeaderName.id) ?? ""
    }

    var description: String { "\(id) from \(from) on \(topic)/\(partition)" }
}
