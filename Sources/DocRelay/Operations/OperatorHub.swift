public import DocRelayCore
import DocRelayDaemon
public import DocRelayDocuments
public import DocRelayKafka
public import DocRelaySigning

/// What an operator's command (`docrelay dlq`, `trace`, `provision`) knows of one hub: how to
/// reach its Kafka and its topic names, and, when it was given the relay's configuration
/// (`hub.yaml`), the hub's id, retry tiers, directory and trust anchors, which let it re-check
/// signatures and senders as the relay does.
///
/// Built in one place from either source, so every command resolves a connection the same way;
/// several of them (one per cluster) can be read and merged.
public struct OperatorHub: Sendable {
    /// The hub's id in the directory, when known (from the configuration).
    public var hubID: String?
    /// How to reach the hub's Kafka.
    public var kafka: KafkaSettings
    public var topics: TopicNames
    /// The retry tiers of the hub (the contract's defaults without a configuration).
    public var retryTiers: [RetryTier]
    /// The directory the relay uses (with a configuration).
    public var directory: Directory?
    /// The relay's trust anchors, intermediates and CRLs (with a configuration).
    public var trust: TrustStore?
    /// The relay configuration it was built from, if any.
    public var configuration: RelayConfiguration?

    /// A hub known only by its Kafka connection and topic prefix.
    public init(kafka: KafkaSettings, topics: TopicNames, retryTiers: [RetryTier] = RetryTier.defaults) {
        self.kafka = kafka
        self.topics = topics
        self.retryTiers = retryTiers
    }

    /// The hub of a relay configuration file: its Kafka connection (the file's `kafka:`, else
    /// the hub's connection in the directory), topic prefix, tiers, directory and trust, resolved
    /// as the relay resolves them. Errors name the file and key.
    public static func load(configurationAt path: String) throws(ConfigurationError) -> OperatorHub {
        let configuration = try RelayConfiguration.load(contentsOf: path)
        let setup = try RelaySetup.resolve(configuration)
        var hub = OperatorHub(kafka: setup.kafka, topics: setup.topics, retryTiers: configuration.retryTiers)
        hub.hubID = setup.hub.id
        hub.directory = setup.directory.current
        hub.trust = setup.trust.current
        hub.configuration = configuration
        return hub
    }

    /// How events written by an operator name their hub: its id, else `operator`.
    public var eventHub: String { hubID ?? "operator" }

    /// Where a replay goes: the first retry tier (`5s` by default).
    public var replayTier: RetryTier {
        retryTiers.first ?? RetryTier.defaults[0]
    }

    /// The relay's checks, when the directory and trust anchors are known.
    public var verifier: DocumentVerifier? {
        guard let directory, let trust else { return nil }
        return DocumentVerifier(directory: directory, trust: trust)
    }

    /// How the hub is named in messages: its id, else its bootstrap servers.
    public var label: String {
        hubID ?? kafka.bootstrapServers.joined(separator: ",")
    }
}
