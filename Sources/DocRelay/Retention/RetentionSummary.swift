public import Foundation

/// One check of every inbox of the hub against its retention: what the relay publishes as
/// metrics, shows on `/healthz` and logs. Label-free by design: a hub has thousands of
/// agencies, so the metrics count inboxes and give the oldest age; agencies are named only in
/// logs and `/healthz`.
public struct RetentionSummary: Sendable, Hashable {
    /// When the check was made.
    public var checkedAt: Date
    /// Inboxes checked (those that exist and could be read).
    public var checked: Int
    /// Inboxes that could not be read this time (authorisation, a broker away).
    public var failed: Int
    /// Inboxes near their retention, oldest unread record first.
    public var near: [InboxRetentionState]
    /// Inboxes that lost records before they were read, most records first.
    public var deletedUnread: [InboxRetentionState]
    /// The inbox whose unread record is the oldest of the hub, if any is unread.
    public var oldest: InboxRetentionState?

    public init(states: [InboxRetentionState], failed: Int = 0, checkedAt: Date) {
        self.checkedAt = checkedAt
        self.checked = states.count
        self.failed = failed
        self.near = states.filter { $0.verdict == .near }
            .sorted { ($0.oldestUnreadAge ?? .zero, $1.agency) > ($1.oldestUnreadAge ?? .zero, $0.agency) }
        self.deletedUnread = states.filter { $0.verdict == .deletedUnread }
            .sorted { ($0.deletedUnread, $1.agency) > ($1.deletedUnread, $0.agency) }
        self.oldest = states.filter { $0.oldestUnreadAge != nil }
            .max { ($0.oldestUnreadAge ?? .zero, $1.agency) < ($1.oldestUnreadAge ?? .zero, $0.agency) }
    }

    /// The age of the oldest unread record of any inbox; zero when nothing is unread.
    public var oldestUnreadAge: Duration { oldest?.oldestUnreadAge ?? .zero }

    /// Whether an inbox needs a person: near its retention, or records already deleted unread.
    public var needsAttention: Bool { !near.isEmpty || !deletedUnread.isEmpty }

    /// `/healthz` warnings: one per inbox in trouble, records deleted first, at most `limit`
    /// named, then one line counting the rest.
    public func warnings(limit: Int = 5) -> [String] {
        var lines = deletedUnread.map { state in
            "inbox of \(state.agency): \(state.deletedUnread) record\(state.deletedUnread == 1 ? "" : "s") deleted by retention (\(state.retention)) before the agency read them"
        }
        lines += near.map { state in
            "inbox of \(state.agency): oldest unread record \(Self.age(state.oldestUnreadAge ?? .zero)) old, retention \(state.retention)"
        }
        guard lines.count > limit else { return lines }
        return Array(lines.prefix(limit)) + ["and \(lines.count - limit) more inboxes near or past their retention"]
    }

    /// An age as an operator reads it: `25d 4h`, `3h 10m`, `12m`, `40s`.
    public static func age(_ duration: Duration) -> String {
        let seconds = max(duration.components.seconds, 0)
        let days = seconds / 86_400, hours = seconds % 86_400 / 3600, minutes = seconds % 3600 / 60
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(seconds)s"
    }
}
