/// How to reach a Kafka cluster: shared by producers, consumers and admin clients, so the
/// embedded broker used by tests and a production cluster differ only in these values.
public struct KafkaSettings: Sendable, Hashable {
    /// `host:port` addresses to bootstrap from. Required; no default.
    public var bootstrapServers: [String]
    /// `client.id` seen by brokers in logs and quotas. Default `docrelay`.
    public var clientID: String = "docrelay"
    /// Any other librdkafka property, passed through as is: TLS (`security.protocol`,
    /// `ssl.ca.location`, ...), SASL (`sasl.mechanisms`, ...), tuning. Applied after DocRelay's
    /// own settings, so they win. Unknown names or refused values are errors naming the property.
    public var properties: [String: String] = [:]
    /// How long to wait for the cluster to answer at start before reporting it unreachable.
    /// Default 10 s; at least 100 ms.
    public var connectTimeout: Duration = .seconds(10)

    public init(bootstrapServers: [String], properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// Settings from a comma-separated bootstrap list, as Kafka tools write it.
    public init(bootstrap: String, properties: [String: String] = [:]) {
        self.init(
            bootstrapServers: bootstrap.split(separator: ",").map {
                String($0).trimmingWhitespace()
            }.filter { !$0.isEmpty },
            properties: properties)
    }

    /// The librdkafka properties of the connection, in the order they are applied.
    var librdkafkaProperties: [(String, String)] {
        var result: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
        ]
        result += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return result
    }
}

/// Settings of a `KafkaProducer`. Idempotence and `acks=all` are not options: DocRelay never
/// reports a record sent before every in-sync replica holds it, and never writes it twice.
public struct KafkaProducerSettings: Sendable, Hashable {
    public var connection: KafkaSettings
    /// How long librdkafka waits to batch records (`linger.ms`). Default 5 ms; 0 to 1 s.
    public var linger: Duration = .milliseconds(5)
    /// How long a record may take to be acknowledged, retries included, before `send` fails
    /// with a retriable `_MSG_TIMED_OUT` (`message.timeout.ms`). Default 120 s.
    public var deliveryTimeout: Duration = .seconds(120)
    /// At most this many records wait in the client for acknowledgement; `send` then waits for
    /// room instead of growing memory (`queue.buffering.max.messages`). Default 100,000.
    public var maxQueuedRecords: Int = 100_000
    /// At most this many KiB wait in the client (`queue.buffering.max.kbytes`). Default 64 MiB.
    public var maxQueuedKilobytes: Int = 65_536
    /// Largest record accepted (`message.max.bytes`). Default 1 MiB, as Kafka's default.
    public var maxRecordBytes: Int = 1_048_576

    public init(connection: KafkaSettings) {
        self.connection = connection
    }

    var librdkafkaProperties: [(String, String)] {
        var props: [(String, String)] = [
            ("enable.idempotence", "true"),
            // Topics are provisioned, never created by a send (a mistyped code must fail).
            ("allow.auto.create.topics", "false"),
            ("acks", "all"),
            ("linger.ms", String(linger.milliseconds)),
            ("message.timeout.ms", String(deliveryTimeout.milliseconds)),
            ("queue.buffering.max.messages", String(maxQueuedRecords)),
            ("queue.buffering.max.kbytes", String(maxQueuedKilobytes)),
            ("message.max.bytes", String(max(maxRecordBytes + 64 * 1024, 1000))),
        ]
        props += connection.librdkafkaProperties
        return props
    }
}

/// Settings of a `KafkaConsumer`: a consumer-group member that commits only what the
/// application marked processed.
public struct KafkaConsumerSettings: Sendable, Hashable {
    public var connection: KafkaSettings
    /// The consumer group (`group.id`). Required.
    public var groupID: String
    /// Where a partition without a committed offset starts. Default `.earliest`.
    public var startOffset: StartOffset = .earliest
    /// How long the group waits for a silent member before reassigning its partitions
    /// (`session.timeout.ms`). Default 45 s; tests use ~6 s so restarts rejoin quickly.
    public var sessionTimeout: Duration = .seconds(45)
    /// At most this many fetched records wait for the application; beyond it the consumer
    /// pauses fetching (backpressure). Default 2,000; at least 1.
    public var maxBufferedRecords: Int = 2_000
    /// At most this many bytes of fetched records wait for the application. Default 32 MiB.
    public var maxBufferedBytes: Int = 32 * 1024 * 1024
    /// At most this many bytes of records librdkafka prefetches for this consumer
    /// (`queued.max.messages.kbytes`; a fetch may overshoot it by one response, whose size
    /// librdkafka then keeps under it). Default 64 MiB, librdkafka's own. Together with
    /// `maxBufferedBytes` it bounds what the consumer holds before the application takes it.
    public var maxPrefetchBytes: Int = 64 * 1024 * 1024
    /// How often processed offsets are committed in the background. Default 500 ms.
    public var commitInterval: Duration = .milliseconds(500)
    /// How long a rebalance or `close` waits for records in processing to be marked processed
    /// before committing what is done and letting the partitions go. Default 10 s.
    public var drainTimeout: Duration = .seconds(10)
    /// How long `close()` keeps trying to commit processed work before leaving the group, when
    /// the group is rebalancing (the broker refuses commits until the rebalance ends; a member
    /// joining keeps a group rebalancing up to the session timeout). Default 30 s.
    public var closeCommitTimeout: Duration = .seconds(30)
    /// How long a member waits, when a rebalance gave it partitions, before it starts them: time
    /// for their previous owner to commit what it processed if the broker refused that commit
    /// during the rebalance (it commits as soon as the rebalance ends). librdkafka's mock
    /// cluster refuses it whenever a member's late SyncGroup restarts the rebalance. Default
    /// 500 ms; zero starts at once.
    public var handOverGrace: Duration = .milliseconds(500)
    /// How long `close()` waits for a member's first assignment when it is asked to leave
    /// while joining: two session timeouts (a join the broker restarts, and its sync), at most
    /// `closeCommitTimeout`. Derived, not set.
    public var firstAssignmentWait: Duration { min(sessionTimeout * 2, closeCommitTimeout) }
    /// How often topic metadata is refreshed, so that a regex subscription sees new topics
    /// (`topic.metadata.refresh.interval.ms`). Default 10 s.
    public var topicRefreshInterval: Duration = .seconds(10)
    /// The partition assignment strategy. Default cooperative-sticky: a rebalance moves only
    /// the partitions that change owner.
    public var assignmentStrategy: AssignmentStrategy = .cooperativeSticky

    public init(connection: KafkaSettings, groupID: String) {
        self.connection = connection
        self.groupID = groupID
    }

    /// Where to start reading a partition that has no committed offset.
    public struct StartOffset: Sendable, Hashable {
        let value: String
        /// From the oldest record the broker keeps.
        public static let earliest = StartOffset(value: "earliest")
        /// From records produced after the assignment.
        public static let latest = StartOffset(value: "latest")
    }

    /// A partition assignment strategy (`partition.assignment.strategy`).
    public struct AssignmentStrategy: Sendable, Hashable {
        let value: String
        /// Incremental rebalancing: only moved partitions are revoked.
        public static let cooperativeSticky = AssignmentStrategy(value: "cooperative-sticky")
        /// Eager rebalancing by ranges: every partition is revoked, then reassigned.
        public static let range = AssignmentStrategy(value: "range")
        /// Eager rebalancing, round robin.
        public static let roundRobin = AssignmentStrategy(value: "roundrobin")
    }

    var librdkafkaProperties: [(String, String)] {
        var props: [(String, String)] = [
            ("group.id", groupID),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", startOffset.value),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("heartbeat.interval.ms", String(max(sessionTimeout.milliseconds / 6, 100))),
            ("topic.metadata.refresh.interval.ms", String(topicRefreshInterval.milliseconds)),
            ("partition.assignment.strategy", assignmentStrategy.value),
            ("enable.partition.eof", "false"),
            ("queued.max.messages.kbytes", String(max(maxPrefetchBytes / 1024, 1))),
        ]
        props += connection.librdkafkaProperties
        return props
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, for librdkafka's `*.ms` properties and timeouts.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
