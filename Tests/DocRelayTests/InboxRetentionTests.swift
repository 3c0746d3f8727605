import DocRelay
import Foundation
import Testing

/// The relay's decision about an inbox's unread records against its retention, as plain values.
@Suite("Inbox retention: what is unread, how near deletion, what the relay reports")
struct InboxRetentionTests {
    static let day: Int64 = 86_400_000
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let nowMilliseconds: Int64 = 1_800_000_000_000
    static let thirtyDays = Retention.duration(.seconds(30 * 86_400))

    @Test("Unread records of a partition from its log bounds and the agent's committed offset", arguments: [
        // (low, high, committed) -> (first unread, unread, deleted unread)
        (0, 0, nil, nil, 0, 0),            // empty log, never read
        (0, 10, nil, 0, 10, 0),            // never committed: all of the log is unread
        (40, 50, nil, 40, 10, 0),          // never committed, log trimmed: unknowable what went before
        (0, 10, 10, nil, 0, 0),            // all read
        (0, 10, 4, 4, 6, 0),               // read up to 4
        (20, 30, 12, 20, 10, 8),           // offsets 12..<20 deleted before they were read
        (30, 30, 12, nil, 0, 18),          // everything deleted, and 18 of them were unread
        (0, 10, 15, nil, 0, 0),            // a commit past the end (topic recreated): nothing unread
    ] as [(Int64, Int64, Int64?, Int64?, Int64, Int64)])
    func unread(low: Int64, high: Int64, committed: Int64?, first: Int64?, count: Int64, deleted: Int64) {
        let unread = UnreadRecords.of(low: low, high: high, committed: committed)
        print("log \(low)..<\(high), committed \(committed.map(String.init) ?? "none") -> first \(unread.firstOffset.map(String.init) ?? "none"), \(unread.count) unread, \(unread.deletedUnread) deleted unread")
        #expect(unread == UnreadRecords(firstOffset: first, count: count, deletedUnread: deleted))
    }

    @Test("Verdict: ok, near (at warn-at of the retention) or deleted unread", arguments: [
        // (oldest unread age in days, deleted unread, retention, warn at) -> verdict
        (nil, 0, InboxRetentionTests.thirtyDays, 0.8, InboxRetentionState.Verdict.ok),   // nothing unread
        (1.0, 0, InboxRetentionTests.thirtyDays, 0.8, .ok),
        (23.9, 0, InboxRetentionTests.thirtyDays, 0.8, .ok),
        (24.0, 0, InboxRetentionTests.thirtyDays, 0.8, .near),                            // exactly 80% of 30 days
        (29.0, 0, InboxRetentionTests.thirtyDays, 0.8, .near),
        (8.0, 0, Retention.duration(.seconds(7 * 86_400)), 0.8, .near), // Kafka's default: the 8-day outage of issue 10
        (20.0, 0, InboxRetentionTests.thirtyDays, 0.5, .near),                            // warn-at 50%
        (400.0, 0, Retention.forever, 0.8, .ok),                      // never deleted for age
        (nil, 3, InboxRetentionTests.thirtyDays, 0.8, .deletedUnread),                    // lost, even with nothing left unread
        (25.0, 3, InboxRetentionTests.thirtyDays, 0.8, .deletedUnread),                   // lost wins over near
    ] as [(Double?, Int64, Retention, Double, InboxRetentionState.Verdict)])
    func verdict(ageDays: Double?, deleted: Int64, retention: Retention, warnAt: Double, expected: InboxRetentionState.Verdict) {
        let age = ageDays.map { Duration.milliseconds(Int64($0 * Double(Self.day))) }
        let verdict = InboxRetentionState.verdict(oldestUnreadAge: age, deletedUnread: deleted, retention: retention, warnAt: warnAt)
        print("oldest unread \(ageDays.map { "\($0)d" } ?? "none"), \(deleted) deleted, retention \(retention), warn at \(Int(warnAt * 100))% -> \(verdict)")
        #expect(verdict == expected)
    }

    @Test("An inbox's state: the oldest first unread record over its partitions, its age at the check")
    func state() {
        let unread = [
            UnreadRecords.of(low: 0, high: 10, committed: 4),
            UnreadRecords.of(low: 0, high: 5, committed: 5),
            UnreadRecords.of(low: 0, high: 3, committed: nil),
        ]
        let state = InboxRetentionState(
            agency: "000.00.00.G22", topic: "docrelay.in.000.00.00.G22", unread: unread,
            timestamps: [Self.nowMilliseconds - 25 * Self.day, Self.nowMilliseconds - 2 * Self.day],
            retention: Self.thirtyDays, warnAt: 0.8, now: Self.now)
        print("state: \(state.unread) unread, oldest \(state.oldestUnreadAge.map(RetentionSummary.age) ?? "none"), \(state.verdict)")
        #expect(state.unread == 9)
        #expect(state.oldestUnreadAge == .seconds(25 * 86_400))
        #expect(state.verdict == .near)

        let skewed = InboxRetentionState(
            agency: "a", topic: "t", unread: [UnreadRecords.of(low: 0, high: 1, committed: nil)],
            timestamps: [Self.nowMilliseconds + 60_000], retention: Self.thirtyDays, warnAt: 0.8, now: Self.now)
        #expect(skewed.oldestUnreadAge == .zero, "a record from the future (clock skew) is not old")
        let allRead = InboxRetentionState(
            agency: "a", topic: "t", unread: [UnreadRecords.of(low: 0, high: 1, committed: 1)],
            timestamps: [Self.nowMilliseconds - 29 * Self.day], retention: Self.thirtyDays, warnAt: 0.8, now: Self.now)
        #expect(allRead.oldestUnreadAge == nil && allRead.verdict == .ok, "a stale timestamp of a read partition does not count")
    }

    private func state(_ agency: String, ageDays: Int64?, deleted: Int64 = 0) -> InboxRetentionState {
        InboxRetentionState(
            agency: agency, topic: "docrelay.in.\(agency)",
            unread: [UnreadRecords(firstOffset: ageDays == nil ? nil : 0, count: ageDays == nil ? 0 : 1, deletedUnread: deleted)],
            timestamps: ageDays.map { [Self.nowMilliseconds - $0 * Self.day] } ?? [], retention: Self.thirtyDays, warnAt: 0.8, now: Self.now)
    }

    @Test("Summary: counts and the oldest for label-free metrics; /healthz warnings name at most five inboxes")
    func summary() {
        var states = (1...6).map { state(String(format: "000.00.%02d.H58", $0), ageDays: 24 + Int64($0 % 3)) }
        states.append(state("000.00.00.G22", ageDays: 2))
        states.append(state("000.00.00.H53", ageDays: nil, deleted: 4))
        states.append(state("000.00.00.G17", ageDays: nil))
        let summary = RetentionSummary(states: states, failed: 1, checkedAt: Self.now)
        let warnings = summary.warnings()
        print("summary: \(summary.checked) checked, \(summary.near.count) near, \(summary.deletedUnread.count) deleted unread, oldest \(RetentionSummary.age(summary.oldestUnreadAge)) at \(summary.oldest?.agency ?? "-")")
        print("warnings:\n  " + warnings.joined(separator: "\n  "))
        #expect(summary.checked == 9 && summary.failed == 1)
        #expect(summary.near.count == 6 && summary.deletedUnread.map(\.agency) == ["000.00.00.H53"])
        #expect(summary.oldestUnreadAge == .seconds(26 * 86_400))
        #expect(summary.oldest?.agency == "000.00.02.H58", "the oldest, ties broken by code")
        #expect(summary.needsAttention)
        #expect(warnings.count == 6)
        #expect(warnings[0] == "inbox of 000.00.00.H53: 4 records deleted by retention (30d) before the agency read them")
        #expect(warnings[1] == "inbox of 000.00.02.H58: oldest unread record 26d old, retention 30d")
        #expect(warnings[5] == "and 2 more inboxes near or past their retention")

        let quiet = RetentionSummary(states: [state("000.00.00.G22", ageDays: nil)], checkedAt: Self.now)
        #expect(!quiet.needsAttention && quiet.warnings().isEmpty && quiet.oldestUnreadAge == .zero)
    }

    @Test("Logs follow changes: a warning when an inbox gets worse, a notice when it is back to ok, nothing while it stays")
    func transitions() {
        let first = [state("A", ageDays: 25), state("B", ageDays: 1), state("C", ageDays: nil, deleted: 2)]
        let one = RetentionTransitions(previous: [:], current: first)
        #expect(one.worse.map(\.agency) == ["A", "C"] && one.recovered.isEmpty)
        let verdicts = RetentionTransitions.verdicts(previous: [:], current: first)
        #expect(verdicts == ["A": .near, "C": .deletedUnread])

        // A stays near (no repeat), B becomes near, C was read and recovers; D was not read this time.
        let second = [state("A", ageDays: 26), state("B", ageDays: 25), state("C", ageDays: nil)]
        let two = RetentionTransitions(previous: verdicts.merging(["D": .near]) { $1 }, current: second)
        #expect(two.worse.map(\.agency) == ["B"])
        #expect(two.recovered.map(\.agency) == ["C"])
        #expect(RetentionTransitions.verdicts(previous: verdicts.merging(["D": .near]) { $1 }, current: second) == ["A": .near, "B": .near, "D": .near])

        let three = RetentionTransitions(previous: ["A": .near], current: [state("A", ageDays: nil, deleted: 1)])
        #expect(three.worse.map(\.agency) == ["A"], "near to deleted unread is worse")
    }
}
