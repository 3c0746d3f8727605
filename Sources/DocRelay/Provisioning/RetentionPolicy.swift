public import DocRelayCore
public import DocRelayDocuments
/// How long each kind of topic of a hub keeps its records (hub.yaml `retention:`; issue 10,
/// point 6: Kafka's 7-day default lost the inbox of an agency that was off for 8 days).
///
/// - `in.<code>` (`inbox`): what an agency has not read yet. At least the longest outage of an
///   agency's system the hub must ride out. Default 30 days.
/// - `dlq` (`deadLetters`): dead letters wait for a person. Default 30 days.
/// - `events` (`events`): `docrelay trace` and replays read them. Default 90 days.
/// - `accepted` (`ledger`): the acceptance ledger need not outlive what it can decide, a
///   record accepted that long ago is refused by its time: `acceptance.max-age` +
///   `acceptance.max-skew` (default 7 days 5 minutes), compacted as well.
/// - `out.<code>`, `hub.<id>`, `retry.<delay>` (`transit`): the relay reads them at once, but a
///   record waits in the tiers for up to the longest tier, and cycles through them until
///   `retry.max-age`: never shorter than `transitFloor`. Default 7 days (Kafka's), or the floor
///   when that is longer.
public struct RetentionPolicy: Sendable, Hashable {
    public var inbox: Retention
    public var deadLetters: Retention
    public var events: Retention
    public var transit: Retention
    public var ledger: Retention

    /// The defaults for `tiers` and `maxAge`: 30 days for inboxes and dead letters, 90 for events,
    /// 7 for the rest (or `transitFloor` when longer).
    public init(
        tiers: [RetryTier] = RetryTier.defaults, maxAge: Duration = .seconds(86_400), acceptance: AcceptanceRules = AcceptanceRules()
    ) {
        self.ledger = Self.ledger(acceptance)
        self.inbox = Self.defaultInbox
        self.deadLetters = Self.defaultDeadLetters
        self.events = Self.defaultEvents
        self.transit = .duration(max(Self.defaultTransitDuration, Self.transitFloor(tiers: tiers, maxAge: maxAge)))
    }

    public init(
        inbox: Retention, deadLetters: Retention, events: Retention, transit: Retention,
        ledger: Retention = RetentionPolicy.ledger(AcceptanceRules())
    ) {
        self.ledger = ledger
        self.inbox = inbox
        self.deadLetters = deadLetters
        self.events = events
        self.transit = transit
    }

    public static let defaultInbox = Retention.duration(.seconds(30 * 86_400))
    public static let defaultDeadLetters = Retention.duration(.seconds(30 * 86_400))
    public static let defaultEvents = Retention.duration(.seconds(90 * 86_400))
    static let defaultTransitDuration = Duration.seconds(7 * 86_400)

    /// The shortest retention of `out`, `hub` and `retry` topics: the longest tier plus
    /// `maxAge` (a record may wait that long in a tier after reaching the age limit's edge).
    public static func transitFloor(tiers: [RetryTier], maxAge: Duration) -> Duration {
        (tiers.map(\.delay).max() ?? .zero) + maxAge
    }

    /// The acceptance ledger's retention: `acceptance.max-age` + `acceptance.max-skew`.
    public static func ledger(_ acceptance: AcceptanceRules) -> Retention {
        .duration(acceptance.maxAge + acceptance.maxSkew)
    }

    /// The retention of a topic with `role`.
    public func retention(of role: TopicPlan.Role) -> Retention {
        switch role {
        case .inbox: inbox
        case .deadLetters: deadLetters
        case .events: events
        case .ledger: ledger
        case .outbox, .transit, .retry: transit
        }
    }
}
