public import Foundation

/// How one agency's inbox (`in.<code>`) stands against its retention: the relay's decision,
/// from values it measured (issue 10, point 6).
public struct InboxRetentionState: Sendable, Hashable {
    /// ok, near or deleted unread, in growing severity.
    public enum Verdict: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Nothing unread, or the oldest unread record is younger than the warning share.
        case ok
        /// The oldest unread record is at least `warnAt` of the retention old: Kafka deletes it
        /// within the rest of the retention unless the agency reads it.
        case near
        /// Records were deleted before the agency read them.
        case deletedUnread

        public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .ok: "ok"
            case .near: "near retention"
            case .deletedUnread: "deleted unread"
            }
        }
    }

    public var agency: String
    public var topic: String
    /// Unread records still in the log, over every partition.
    public var unread: Int64
    /// Records deleted before they were read, over every partition.
    public var deletedUnread: Int64
    /// The age of the oldest unread record, from its timestamp to the check; nil when nothing
    /// is unread or its timestamp could not be read.
    public var oldestUnreadAge: Duration?
    /// The topic's retention (the cluster's, else the configured `retention.inbox`).
    public var retention: Retention
    public var verdict: Verdict

    /// The state of an inbox whose partitions have `unread` records and whose first unread
    /// records carry `timestamps` (milliseconds since the epoch, one per partition where read),
    /// checked at `now`.
    ///
    /// Near when the oldest unread record is at least `warnAt` (0 < share < 1) of `retention`
    /// old; never near with a retention of `forever`. Deleted unread wins over near. A
    /// timestamp in the future (clock skew) counts as age 0.
    public init(
        agency: String, topic: String, unread: [UnreadRecords], timestamps: [Int64], retention: Retention,
        warnAt: Double, now: Date
    ) {
        self.agency = agency
        self.topic = topic
        self.unread = unread.reduce(0) { $0 + $1.count }
        self.deletedUnread = unread.reduce(0) { $0 + $1.deletedUnread }
        self.retention = retention
        let nowMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let age: Duration? = self.unread > 0 ? timestamps.min().map { .milliseconds(max(nowMilliseconds - $0, 0)) } : nil
        self.oldestUnreadAge = age
        self.verdict = Self.verdict(oldestUnreadAge: age, deletedUnread: self.deletedUnread, retention: retention, warnAt: warnAt)
    }

    /// The verdict for an inbox whose oldest unread record is `oldestUnreadAge` old (nil: none
    /// or unknown) and which lost `deletedUnread` records.
    public static func verdict(oldestUnreadAge: Duration?, deletedUnread: Int64, retention: Retention, warnAt: Double) -> Verdict {
        if deletedUnread > 0 { return .deletedUnread }
        guard let age = oldestUnreadAge, let kept = retention.duration else { return .ok }
        // In whole milliseconds and thousandths of the share: exact at the boundary.
        let share = Int64((warnAt * 1000).rounded())
        return age.wholeMilliseconds * 1000 >= kept.wholeMilliseconds * share ? .near : .ok
    }
}
