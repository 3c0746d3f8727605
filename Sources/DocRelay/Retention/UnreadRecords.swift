/// What an agency has not read yet of one partition of its inbox, from the partition's log
/// bounds and its agent's committed offset.
///
/// "Unread" is what the agent's consumer group (`docrelay-agent-<code>`, `ConsumerGroupNames.agent`)
/// has not committed: the agent commits a record once it is delivered into the agency's
/// folder or webhook (docs/agent.md), and a restarted agent goes on from the committed offset.
public struct UnreadRecords: Sendable, Hashable {
    /// The offset of the oldest unread record still in the log; nil when nothing is unread.
    public var firstOffset: Int64?
    /// Unread records still in the log.
    public var count: Int64
    /// Records Kafka deleted (retention) before the agent read them: the committed offset is
    /// below the log's first offset. Lost to the agency unless it gets them another way.
    public var deletedUnread: Int64

    public init(firstOffset: Int64?, count: Int64, deletedUnread: Int64) {
        self.firstOffset = firstOffset
        self.count = count
        self.deletedUnread = deletedUnread
    }

    /// The unread records of a partition whose log holds offsets `low..<high`, the group having
    /// committed `committed` (the next offset it will read), or nothing (`nil`).
    ///
    /// Without a commit the agent starts at the log's beginning, so everything in the log is
    /// unread, and whether anything was deleted before cannot be told (0). A commit beyond
    /// `high` (the log was recreated) counts as nothing unread.
    public static func of(low: Int64, high: Int64, committed: Int64?) -> UnreadRecords {
        let low = max(low, 0)
        let high = max(high, low)
        guard let committed else {
            return UnreadRecords(firstOffset: high > low ? low : nil, count: high - low, deletedUnread: 0)
        }
        let deleted = committed < low ? low - committed : 0
        let first = max(committed, low)
        guard first < high else { return UnreadRecords(firstOffset: nil, count: 0, deletedUnread: deleted) }
        return UnreadRecords(firstOffset: first, count: high - first, deletedUnread: deleted)
    }
}
