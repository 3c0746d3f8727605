public import DocRelayCore
public import DocRelayKafka

/// The topics a directory implies for one hub (contract, "Topics"): for each agency whose home
/// it is, `out.<code>` and `in.<code>`; the hub's own `hub.<id>`; one `retry.<delay>` per retry
/// tier; `dlq`, `events` and the acceptance ledger `accepted` (compacted), each with the
/// retention of its kind (`RetentionPolicy`). What
/// `docrelay provision` creates on a cluster and `docrelay broker --provision` creates in the
/// embedded one.
public struct TopicPlan: Sendable, Hashable {
    /// One topic of the plan, why it exists and how long it keeps its records.
    public struct Topic: Sendable, Hashable {
        public let name: String
        public let role: Role
        /// Its `retention.ms`, by its role (`RetentionPolicy.retention(of:)`).
        public let retention: Retention
    }

    /// What a topic is for.
    public enum Role: Sendable, Hashable, CustomStringConvertible {
        /// What an agency sends.
        case outbox(agency: String)
        /// What an agency receives.
        case inbox(agency: String)
        /// Records in transit from the neighbouring hubs.
        case transit
        /// Records waiting for their next attempt.
        case retry(RetryTier)
        case deadLetters
        case events
        /// The acceptance ledger: one entry per sender's id accepted first (compact and delete).
        case ledger

        public var description: String {
            switch self {
            case .outbox(let agency): "sent by \(agency)"
            case .inbox(let agency): "received by \(agency)"
            case .transit: "in transit from neighbouring hubs"
            case .retry(let tier): "waiting \(tier.name) for the next attempt"
            case .deadLetters: "dead letters"
            case .events: "one event per decision"
            case .ledger: "acceptance ledger (compacted)"
            }
        }
    }

    /// A hub the directory does not declare.
    public struct UnknownHub: Error, Sendable, CustomStringConvertible {
        public let hubID: String
        public let known: [String]
        public var description: String {
            "no hub '\(hubID)' in the directory (its hubs: \(known.joined(separator: ", ")))"
        }
    }

    public let hub: Hub
    public let names: TopicNames
    public let retryTiers: [RetryTier]
    public let retention: RetentionPolicy
    /// The codes of the agencies whose home is this hub, in directory order.
    public let agencies: [String]
    /// The hubs next to this one in the tree: its parent first, then its children.
    public let neighbours: [Hub]
    /// Every topic, in the order above.
    public let topics: [Topic]

    /// The plan of `hubID` in `directory`, with `names` (default: the prefix of the hub's
    /// connection), `retryTiers` (default: the contract's) and `retention` (default: the
    /// defaults for those tiers and a max age of 24 h).
    public init(
        directory: Directory, hubID: String, names: TopicNames? = nil, retryTiers: [RetryTier] = RetryTier.defaults,
        retention: RetentionPolicy? = nil
    ) throws(UnknownHub) {
        guard let hub = directory.hub(id: hubID) else {
            throw UnknownHub(hubID: hubID, known: directory.hubs.map(\.id))
        }
        let names = names ?? TopicNames(prefix: hub.connection.topicPrefix)
        self.hub = hub
        self.names = names
        self.retryTiers = retryTiers
        let retention = retention ?? RetentionPolicy(tiers: retryTiers)
        self.retention = retention
        self.agencies = directory.agencies.filter { $0.hubID == hub.id }.map(\.code.rawValue)
        self.neighbours = (hub.parentID.flatMap { directory.hub(id: $0) }.map { [$0] } ?? []) + directory.children(of: hub)
        var roles: [(String, Role)] = []
        for code in agencies {
            roles.append((names.out(code), .outbox(agency: code)))
            roles.append((names.inbox(code), .inbox(agency: code)))
        }
        roles.append((names.hub(hub.id), .transit))
        roles += retryTiers.map { (names.retry($0), .retry($0)) }
        roles.append((names.deadLetters, .deadLetters))
        roles.append((names.events, .events))
        roles.append((names.accepted, .ledger))
        self.topics = roles.map { Topic(name: $0.0, role: $0.1, retention: retention.retention(of: $0.1)) }
    }

    /// The plans of every hub of `directory`, each with its own connection's prefix: for a
    /// development cluster that holds all of them.
    public static func allHubs(of directory: Directory, retryTiers: [RetryTier] = RetryTier.defaults) -> [TopicPlan] {
        directory.hubs.compactMap { try? TopicPlan(directory: directory, hubID: $0.id, retryTiers: retryTiers) }
    }

    /// The topics to create, each with `partitions`, `replicationFactor` and its `retention.ms`
    /// (the ledger also `cleanup.policy=compact,delete`: one entry per identity, none older than
    /// its retention).
    public func specs(partitions: Int, replicationFactor: Int) -> [KafkaTopicSpec] {
        topics.map {
            var configs = [Self.retentionConfig: $0.retention.configValue]
            if $0.role == .ledger { configs[Self.cleanupPolicyConfig] = Self.ledgerCleanupPolicy }
            return KafkaTopicSpec(name: $0.name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
        }
    }

    /// The topic configuration that says how old records go.
    public static let cleanupPolicyConfig = "cleanup.policy"
    /// The acceptance ledger's `cleanup.policy`.
    public static let ledgerCleanupPolicy = "compact,delete"

    /// The topic configuration that holds a topic's retention.
    public static let retentionConfig = "retention.ms"
}
