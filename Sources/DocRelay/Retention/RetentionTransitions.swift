/// What changed between two checks of the inboxes: the relay logs a warning when an inbox
/// becomes near its retention or loses records, and a notice when it is back to ok, rather
/// than the same warning at every check (metrics and `/healthz` show the standing state).
public struct RetentionTransitions: Sendable, Hashable {
    /// Inboxes whose verdict got worse (ok → near, ok or near → deleted unread).
    public var worse: [InboxRetentionState]
    /// Inboxes back to ok after near or deleted unread.
    public var recovered: [InboxRetentionState]

    /// The changes from `previous` (verdicts by agency; an agency absent was ok) to `current`.
    /// An inbox absent from `current` (not read this time) changes nothing.
    public init(previous: [String: InboxRetentionState.Verdict], current: [InboxRetentionState]) {
        worse = current.filter { $0.verdict > (previous[$0.agency] ?? .ok) }
        recovered = current.filter { $0.verdict == .ok && (previous[$0.agency] ?? .ok) != .ok }
    }

    /// The verdicts to compare the next check with: `previous` updated with `current`.
    public static func verdicts(
        previous: [String: InboxRetentionState.Verdict], current: [InboxRetentionState]
    ) -> [String: InboxRetentionState.Verdict] {
        var verdicts = previous
        for state in current { verdicts[state.agency] = state.verdict == .ok ? nil : state.verdict }
        return verdicts
    }
}
