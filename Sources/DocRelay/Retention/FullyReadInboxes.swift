import DocRelayKafka

/// The inbox partitions an agent had read to their end at the last retention check, with that
/// end (the high watermark). A partition whose end has not moved since needs no look at the
/// agent's commits: nothing came, and what was there had been read.
///
/// Why: each look opens a short-lived consumer handle of the agent's group (`KafkaGroupOffsets`:
/// a connection, a coordinator lookup and an OffsetFetch). A national hub checks 10,000 inboxes
/// every `retention.check-interval`; most get nothing between two checks, and this keeps their
/// agents' groups unasked. A commit that moved back (an operator reset an agent's offsets)
/// is seen again once the inbox gets its next record.
struct FullyReadInboxes: Sendable, Equatable {
    private var ends: [KafkaTopicPartition: Int64] = [:]

    init() {}

    /// Whether every partition of `topic` (`bounds`, as the cluster reports them now) ends
    /// where it ended when its agent had read it to its end.
    func unchanged(_ topic: String, _ bounds: [KafkaPartitionOffsets]) -> Bool {
        !bounds.isEmpty && bounds.allSatisfy { ends[KafkaTopicPartition(topic: topic, partition: $0.partition)] == $0.high }
    }

    /// Takes one check's reading of `topic`: a partition with nothing unread and nothing
    /// deleted unread is kept with its end (`bounds`); any other is forgotten.
    mutating func record(_ topic: String, bounds: [KafkaPartitionOffsets], unread: [KafkaTopicPartition: UnreadRecords]) {
        for partition in bounds {
            let key = KafkaTopicPartition(topic: topic, partition: partition.partition)
            if let state = unread[key], state.count == 0, state.deletedUnread == 0 {
                ends[key] = partition.high
            } else {
                ends[key] = nil
            }
        }
    }

    /// Forgets every topic not in `topics` (inboxes gone from the hub).
    mutating func keep(only topics: Set<String>) {
        ends = ends.filter { topics.contains($0.key.topic) }
    }
}
