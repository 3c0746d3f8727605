import DocRelayCore
import DocRelayDocuments
import Yams

/// hub.yaml `retention:`: how long each kind of topic keeps its records (what `docrelay
/// provision` sets) and when the relay warns that an inbox's unread records near their end.
///
/// ```yaml
/// retention:
///   inbox: 30d          # in.<code>; at least the longest outage of an agency's system
///   dlq: 30d            # dead letters; `forever` keeps them until deleted by hand
///   events: 90d         # what `docrelay trace` can show
///   transit: 7d         # out.<code>, hub.<id>, retry.*: at least the longest tier + retry.max-age
///   warn-at: 80%        # warn when an inbox's oldest unread record is this share of its retention old
///   check-interval: 5m  # how often the relay looks
/// ```
public struct RetentionSettings: Sendable, Hashable {
    /// Retention per topic kind.
    public var policy: RetentionPolicy
    /// The share of an inbox's retention (0 < share < 1) from which its oldest unread record
    /// counts as near its deletion. Default 0.8.
    public var warnAt: Double
    /// How often the relay checks the inboxes. Default 5 minutes; 1 s to 1 day.
    public var checkInterval: Duration

    public static let defaultWarnAt = 0.8
    public static let defaultCheckInterval = Duration.seconds(300)

    public init(policy: RetentionPolicy, warnAt: Double = Self.defaultWarnAt, checkInterval: Duration = Self.defaultCheckInterval) {
        self.policy = policy
        self.warnAt = warnAt
        self.checkInterval = checkInterval
    }

    static let keys = ["inbox", "dlq", "events", "transit", "warn-at", "check-interval"]

    /// Reads the `retention:` mapping of `top` (absent: every default). A transit retention
    /// shorter than the longest of `tiers` plus `maxAge` is refused, naming that floor.
    static func read(
        _ top: YAMLMapping, path: String, tiers: [RetryTier], maxAge: Duration, acceptance: AcceptanceRules = AcceptanceRules()
    ) throws(ConfigurationError) -> RetentionSettings {
        let node = try top.node("retention", required: nil)
        let fields = try YAMLMapping(
            node ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "retention", keyPrefix: "retention.",
            known: keys, what: "a mapping with \(keys.joined(separator: ", "))")
        var policy = RetentionPolicy(tiers: tiers, maxAge: maxAge, acceptance: acceptance)
        policy.inbox = try retention(fields, "inbox", default: policy.inbox)
        policy.deadLetters = try retention(fields, "dlq", default: policy.deadLetters)
        policy.events = try retention(fields, "events", default: policy.events)
        policy.transit = try retention(fields, "transit", default: policy.transit)
        let floor = RetentionPolicy.transitFloor(tiers: tiers, maxAge: maxAge)
        guard policy.transit.isAtLeast(.duration(floor)) else {
            throw fields.error(
                try fields.node("transit", required: nil), key: "transit",
                "at least \(Retention.duration(floor)) (the longest retry tier plus retry.max-age: a record may wait that long), not \(policy.transit)")
        }
        let warnAt = try share(fields, "warn-at", default: defaultWarnAt)
        let interval = try ConfigurationFields.duration(fields, "check-interval", default: defaultCheckInterval, range: .seconds(1)...(.seconds(86_400)))
        return RetentionSettings(policy: policy, warnAt: warnAt, checkInterval: interval)
    }

    /// The retention of `key`: 1 hour to 10 years, or `forever`.
    private static func retention(_ fields: YAMLMapping, _ key: String, default value: Retention) throws(ConfigurationError) -> Retention {
        guard let text = try fields.string(key, required: nil, what: "a retention such as 30d or forever") else { return value }
        let range = Duration.seconds(3600)...Duration.seconds(3650 * 86_400)
        guard let parsed = Retention(parsing: text), parsed.duration.map(range.contains) ?? true else {
            throw fields.error(
                try fields.node(key, required: nil), key: key,
                "a retention from 1h to 3650d such as 30d, 36h or 90d, or forever, not '\(text)'")
        }
        return parsed
    }

    /// A percentage from 1% to 99% (`80%`), as a share.
    private static func share(_ fields: YAMLMapping, _ key: String, default value: Double) throws(ConfigurationError) -> Double {
        guard let text = try fields.string(key, required: nil, what: "a percentage such as 80%") else { return value }
        guard text.hasSuffix("%"), let percent = Int(text.dropLast()), (1...99).contains(percent) else {
            throw fields.error(try fields.node(key, required: nil), key: key, "a percentage from 1% to 99% such as 80%, not '\(text)'")
        }
        return Double(percent) / 100
    }
}
