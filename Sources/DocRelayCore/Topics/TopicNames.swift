/// The topics of one hub (contract, "Topics"): `<prefix>.out.<code>`, `<prefix>.in.<code>`,
/// `<prefix>.hub.<hub-id>`, `<prefix>.retry.<delay>`, `<prefix>.dlq`, `<prefix>.events`,
/// `<prefix>.accepted`.
public struct TopicNames: Sendable, Hashable {
    /// The prefix, `docrelay` unless the hub's connection says otherwise.
    public let prefix: String

    public init(prefix: String = "docrelay") {
        self.prefix = prefix
    }

    /// Where an agency publishes what it sends.
    public func out(_ code: String) -> String { "\(prefix).out.\(code)" }
    /// Where an agency receives documents, statuses and acks.
    public func inbox(_ code: String) -> String { "\(prefix).in.\(code)" }
    /// Where a hub receives records in transit from its neighbours.
    public func hub(_ id: String) -> String { "\(prefix).hub.\(id)" }
    /// Where records wait for their next attempt.
    public func retry(_ tier: RetryTier) -> String { "\(prefix).retry.\(tier.name)" }
    /// Records that cannot be delivered.
    public var deadLetters: String { "\(prefix).dlq" }
    /// One event per decision, keyed by document id.
    public var events: String { "\(prefix).events" }
    /// The acceptance ledger: one entry per record this hub accepted first from an agency's
    /// `out` topic, keyed by `<dr-from>` LF `<dr-id>` (contract, "Transport identity").
    public var accepted: String { "\(prefix).accepted" }

    /// The subscription pattern of every agency's `out` topic (new agencies need no restart).
    public var outPattern: String { "^\(Self.escaped(prefix))\\.out\\..+" }

    /// The agency code of an `out` topic, or nil for another topic.
    public func agencyCode(ofOutTopic topic: String) -> String? {
        let start = "\(prefix).out."
        guard topic.hasPrefix(start), topic.count > start.count else { return nil }
        return String(topic.dropFirst(start.count))
    }

    /// The tier of a retry topic, among `tiers`.
    public func tier(ofRetryTopic topic: String, among tiers: [RetryTier]) -> RetryTier? {
        tiers.first { retry($0) == topic }
    }

    /// A regular expression matching `text` literally (POSIX extended, as librdkafka uses).
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\.^$|?*+()[]{}".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
