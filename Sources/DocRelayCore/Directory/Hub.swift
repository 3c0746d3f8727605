/// An interconnection hub ("trục liên thông"): one Kafka cluster, or one topic prefix in a
/// shared cluster, serving the agencies whose home it is. Hubs form a tree, national at the root.
public struct Hub: Sendable, Hashable {
    /// The hub's id, `[a-z0-9-]+`, unique in the directory; it names the hub's topic
    /// `<prefix>.hub.<id>` and appears in acks as `hub:<id>`.
    public let id: String
    /// A readable name, e.g. "Trục liên thông quốc gia" (the id when the file gives none).
    public let name: String
    /// The hub above this one; `nil` for the root.
    public let parentID: String?
    /// How to reach the hub's Kafka.
    public let connection: HubConnection
    /// The relay certificates that may sign as `hub:<id>` (its acks), by SHA-256 fingerprint
    /// (lowercase hex) or RFC 2253 subject and issuer.
    public let certificateFingerprints: [String]
    public let certificateSubjects: [SubjectBinding]
    /// The largest document the hub carries, in bytes (directory `max-document-bytes`, default
    /// 64 MiB): its relay refuses a larger one as `oversize`, and its agencies' agents, `send`
    /// and `sign` refuse it before signing. Over one record's limit, a document travels in
    /// segments (contract, "Large documents").
    public let maxDocumentBytes: Int

    /// The default of `maxDocumentBytes`, 64 MiB; the directory may set 1 MiB to 512 MiB.
    public static let defaultMaxDocumentBytes = 67_108_864

    public init(
        id: String, name: String, parentID: String?, connection: HubConnection,
        certificateFingerprints: [String] = [], certificateSubjects: [SubjectBinding] = [],
        maxDocumentBytes: Int = Hub.defaultMaxDocumentBytes
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.id = id
        self.name = name
        self.parentID = parentID
        self.connection = connection
        self.certificateFingerprints = certificateFingerprints.map { $0.lowercased() }
        self.certificateSubjects = certificateSubjects
    }

    /// Whether a certificate may sign as this hub.
    public func isBound(fingerprint: String, subject: String?, issuer: String?) -> Bool {
        if certificateFingerprints.contains(fingerprint.lowercased()) { return true }
        guard let subject, let issuer else { return false }
        return certificateSubjects.contains { $0.matches(subject: subject, issuer: issuer) }
    }

    /// Whether this is the root of the tree (the national hub).
    public var isRoot: Bool { parentID == nil }
}

/// How to reach a hub's Kafka: what a client needs besides its own credentials. The properties
/// file is named, not read: the Kafka layer reads and checks it (`KafkaPropertiesFile`).
public struct HubConnection: Sendable, Hashable {
    /// `host:port` of the bootstrap brokers; never empty.
    public let bootstrapServers: [String]
    /// librdkafka properties given inline (e.g. `sasl.username`).
    public let properties: [String: String]
    /// An absolute path to a librdkafka properties file (`name=value` lines), if any; the
    /// directory file gives it relative to itself.
    public let propertiesFile: String?
    /// The prefix of the hub's topics (`docrelay` unless configured).
    public let topicPrefix: String

    /// The default topic prefix.
    public static let defaultTopicPrefix = "docrelay"

    public init(
        bootstrapServers: [String], properties: [String: String] = [:], propertiesFile: String? = nil,
        topicPrefix: String = HubConnection.defaultTopicPrefix
    ) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.propertiesFile = propertiesFile
        self.topicPrefix = topicPrefix
    }

    /// The bootstrap servers as librdkafka's `bootstrap.servers` wants them.
    public var bootstrap: String { bootstrapServers.joined(separator: ",") }
}
