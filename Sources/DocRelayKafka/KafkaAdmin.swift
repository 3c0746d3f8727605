internal import CRdKafka
public import Logging

/// A topic to create.
public struct KafkaTopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// Copies of each partition; 3 in production, 1 on a single embedded broker.
    public var replicationFactor: Int
    /// Topic configuration (`retention.ms`, `cleanup.policy`, `max.message.bytes`, ...).
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// What the cluster knows of a topic.
public struct KafkaTopicMetadata: Sendable, Hashable {
    public var name: String
    public var partitionCount: Int

    public init(name: String, partitionCount: Int) {
        self.name = name
        self.partitionCount = partitionCount
    }
}

/// The offsets bounding a partition's log: `low` is the first kept, `high` the next to write.
public struct KafkaPartitionOffsets: Sendable, Hashable {
    public var partition: Int32
    public var low: Int64
    public var high: Int64
}

/// Cluster administration: topics, log offsets and a group's committed offsets (for lag).
/// Every call waits on a thread of its own, never on the cooperative pool.
public final class KafkaAdmin: Sendable {
    let client: RDKafkaClient
    let timeout: Duration
    /// For the group handles that read committed offsets (`KafkaGroupOffsets`).
    let settings: KafkaSettings
    let logger: Logger

    /// An admin client with checked configuration. Makes no network call; see `connect`.
    public init(settings: KafkaSettings, logger: Logger) throws(KafkaError) {
        self.client = try RDKafkaClient(
            kind: .producer, properties: settings.librdkafkaProperties,
            events: RDKafkaEvents(logger: logger))
        self.timeout = max(settings.connectTimeout, .seconds(1))
        self.settings = settings
        self.logger = logger
    }

    /// An admin client whose cluster answered within `settings.connectTimeout`.
    public static func connect(settings: KafkaSettings, logger: Logger) async throws -> KafkaAdmin {
        let admin = try KafkaAdmin(settings: settings, logger: logger)
        let client = admin.client
        let timeout = settings.connectTimeout
        try await runBlocking { () throws -> Void in try client.checkReachable(timeout: timeout) }
        return admin
    }

    /// Creates `topics`. Those that exist already are left as they are and reported in the
    /// result; any other refusal throws, naming the topic.
    ///
    /// librdkafka 2.0's mock cluster does not implement CreateTopics (the request times out
    /// "waiting for controller"): on the embedded cluster use `EmbeddedKafkaCluster.createTopic`
    /// or `docrelay broker --topic`.
    @discardableResult
    public func createTopics(_ topics: [KafkaTopicSpec]) async throws -> (created: [String], existing: [String]) {
        guard !topics.isEmpty else { return ([], []) }
        let client = client
        let timeout = timeout
        return try await runBlocking { () throws -> ([String], [String]) in
            try Self.createTopicsNow(topics, client: client, timeout: timeout)
        }
    }

    /// Every topic of the cluster with its partition count, sorted by name.
    public func listTopics() async throws -> [KafkaTopicMetadata] {
        let client = client
        let timeout = timeout
        return try await runBlocking { () throws -> [KafkaTopicMetadata] in try client.topicMetadata(timeout: timeout) }
    }

    /// The low and high offsets of every partition of `topic`.
    public func partitionOffsets(topic: String) async throws -> [KafkaPartitionOffsets] {
        let client = client
        let timeout = timeout
        return try await runBlocking { () throws -> [KafkaPartitionOffsets] in try client.watermarks(of: topic, timeout: timeout) }
    }

    /// The low and high offsets of every partition of `topic`, whose partitions `metadata`
    /// gives (from `listTopics`): no metadata request of its own, for callers that ask of many
    /// topics.
    public func partitionOffsets(of metadata: KafkaTopicMetadata) async throws -> [KafkaPartitionOffsets] {
        let client = client
        let timeout = timeout
        return try await runBlocking { () throws -> [KafkaPartitionOffsets] in
            try client.watermarks(of: metadata.name, partitionCount: metadata.partitionCount, timeout: timeout)
        }
    }

    /// The offsets `group` committed on the partitions of `topics` (partitions without a
    /// commit are absent).
    public func committedOffsets(group: String, topics: [String]) async throws -> [KafkaTopicPartition: Int64] {
        let known = try await listTopics()
        var partitions: [KafkaTopicPartition] = []
        for topic in topics {
            guard let metadata = known.first(where: { $0.name == topic }) else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "no topic named \(topic)")
            }
            partitions += (0..<Int32(metadata.partitionCount)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        }
        return try await committedOffsets(group: group, partitions: partitions)
    }

    /// The offsets `group` committed on `partitions` (partitions without a commit are absent),
    /// without asking which partitions the topics have.
    public func committedOffsets(group: String, partitions: [KafkaTopicPartition]) async throws -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let (settings, logger, timeout) = (settings, logger, timeout)
        return try await runBlocking { () throws -> [KafkaTopicPartition: Int64] in
            try KafkaGroupOffsets.committed(group: group, partitions: partitions, settings: settings, logger: logger, timeout: timeout)
        }
    }

    /// How many records of `topic` `group` has not committed yet, per partition.
    public func lag(group: String, topic: String) async throws -> [Int32: Int64] {
        let committed = try await committedOffsets(group: group, topics: [topic])
        var lag: [Int32: Int64] = [:]
        for offsets in try await partitionOffsets(topic: topic) {
            let done = committed[KafkaTopicPartition(topic: topic, partition: offsets.partition)] ?? offsets.low
            lag[offsets.partition] = max(offsets.high - max(done, offsets.low), 0)
        }
        return lag
    }

    // MARK: Blocking parts

    /// One CreateTopics request (`createTopicBatch`), read as topics created and topics that
    /// existed; any other answer is thrown.
    private static func createTopicsNow(
        _ topics: [KafkaTopicSpec], client: RDKafkaClient, timeout: Duration
    ) throws -> ([String], [String]) {
        let answers = try createTopicBatch(topics, client: client, timeout: timeout)
        var created: [String] = []
        var existing: [String] = []
        for spec in topics {
            guard let answer = answers[spec.name] else { continue }
            switch answer.code {
            case .noError: created.append(spec.name)
            case .topicAlreadyExists: existing.append(spec.name)
            default: throw answer
            }
        }
        return (created, existing)
    }

    /// Sends one admin request and waits for its result event (the caller destroys it).
    static func adminRequest(
        client: RDKafkaClient, timeout: Duration,
        _ send: (_ options: OpaquePointer?, _ queue: OpaquePointer?) -> Void
    ) throws -> OpaquePointer {
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_ANY)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds + 1000)) else {
            throw KafkaError(code: .timedOut, message: "the cluster did not answer within \(timeout)")
        }
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            rd_kafka_event_destroy(event)
            throw KafkaError(code: KafkaError.Code(code), message: "admin request failed: \(text)")
        }
        return event
    }
}
