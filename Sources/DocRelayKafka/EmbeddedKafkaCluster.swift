internal import CRdKafka
public import Logging

/// A Kafka cluster inside this process: librdkafka's mock cluster, speaking the Kafka protocol
/// over TCP on 127.0.0.1, so any client (ours, `kcat`) can use it. For tests, the demo and
/// `docrelay broker`.
///
/// `@unchecked Sendable`: it owns the `rd_kafka_mock_cluster_t`, whose functions are
/// thread-safe (they post to the cluster's own thread); the pointer never leaves this type.
///
/// Limits to know: it keeps at most ~5 MiB per partition and silently drops older records
/// beyond that; a new group's first fetch takes ~3 s; it does not implement CreateTopics (use
/// `createTopic`), nor listing a group's offsets for all topics at once. Clients should be closed before the
/// cluster; `shutdown()` (or the last reference going) stops it.
///
/// Every command to the cluster (`createTopic`, `setBrokerDown`...) is answered in tens of
/// microseconds: `MockClusterWaker` works around librdkafka's lost wake-up, which otherwise made
/// some commands wait up to 1 s each (thousands of topics took minutes).
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    private let host: RDKafkaClient
    private let cluster: OpaquePointer  // rd_kafka_mock_cluster_t *, owned
    private let waker: MockClusterWaker
    /// The bootstrap address, `127.0.0.1:port,...`.
    public let bootstrapServers: String
    /// The broker ids, 1 through the broker count.
    public let brokerIDs: [Int32]

    /// Starts a cluster of `brokers` brokers (1 to 10).
    public init(brokers: Int = 1, logger: Logger) throws(KafkaError) {
        guard (1...10).contains(brokers) else {
            throw .invalidConfiguration(property: "brokers", "broker count must be 1 to 10, not \(brokers)")
        }
        // A quiet client only hosts the cluster; it connects nowhere itself.
        host = try RDKafkaClient(
            kind: .producer, properties: [("log_level", "3")], events: RDKafkaEvents(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError(code: .invalidArgument, message: "librdkafka could not start a mock cluster")
        }
        self.cluster = cluster
        let bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.bootstrapServers = bootstrapServers
        self.brokerIDs = (1...Int32(brokers)).map { $0 }
        waker = MockClusterWaker(bootstrapServers: bootstrapServers)
        // The mock answers Metadata up to v2 by default, where every request may create topics;
        // from v4 it honours the client's `allow.auto.create.topics`, as a real cluster does.
        _ = waker.run { rd_kafka_mock_set_apiversion(cluster, EmbeddedKafkaCluster.APIKey.metadata, 0, 4) }
    }

    deinit {
        waker.stop()
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Connection settings for clients of this cluster.
    public var settings: KafkaSettings {
        KafkaSettings(bootstrap: bootstrapServers)
    }

    /// Creates a topic directly in the cluster (no client round trip), in tens of microseconds:
    /// thousands of topics take a fraction of a second. Throws `topicAlreadyExists` for a name
    /// taken; `replicationFactor` is capped by librdkafka at the broker count.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let result = waker.run { rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: KafkaError.Code(result), message: "cannot create topic \(name)")
        }
    }

    /// Disconnects a broker and refuses new connections to it until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) {
        _ = waker.run { rd_kafka_mock_broker_set_down(cluster, id) }
    }

    public func setBrokerUp(_ id: Int32) {
        _ = waker.run { rd_kafka_mock_broker_set_up(cluster, id) }
    }

    /// Delays every answer of a broker by `rtt`.
    public func setRoundTripTime(_ rtt: Duration, broker id: Int32) {
        _ = waker.run { rd_kafka_mock_broker_set_rtt(cluster, id, Int32(rtt.milliseconds)) }
    }

    /// Makes the next requests of a Kafka API (e.g. 0 = Produce) fail with these codes, in order.
    public func pushRequestErrors(apiKey: Int16, _ errors: [KafkaError.Code]) {
        var codes = errors.map(\.rdKafkaCode)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, &codes)
    }

    /// Makes the next requests of a Kafka API to broker `id` fail with `error`, each answered
    /// `roundTrip` after it arrives (one entry per error in `errors`).
    public func pushRequestErrors(apiKey: Int16, broker id: Int32, _ errors: [KafkaError.Code], roundTrip: Duration) {
        _ = waker.run {
            for error in errors {
                _ = docrelay_mock_push_request_error_rtt(
                    cluster, id, apiKey, error.rdKafkaCode, Int32(roundTrip.milliseconds))
            }
        }
    }

    /// How many errors pushed with `pushRequestErrors(apiKey:broker:_:roundTrip:)` are still
    /// waiting for their request: one fewer as soon as a request of that API arrives.
    public func pendingRequestErrors(apiKey: Int16, broker id: Int32) -> Int {
        var count = 0
        _ = rd_kafka_mock_broker_error_stack_cnt(cluster, id, apiKey, &count)
        return count
    }

    /// Makes broker `id` the coordinator of consumer group `group`.
    public func setGroupCoordinator(group: String, broker id: Int32) {
        _ = waker.run { rd_kafka_mock_coordinator_set(cluster, "group", group, id) }
    }

    /// Moves the leadership of a partition to another broker.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) {
        _ = waker.run { rd_kafka_mock_partition_set_leader(cluster, topic, partition, id) }
    }
}

extension EmbeddedKafkaCluster {
    /// Kafka API keys for fault injection.
    public enum APIKey {
        public static let produce: Int16 = 0
        public static let fetch: Int16 = 1
        public static let metadata: Int16 = 3
        public static let offsetCommit: Int16 = 8
        public static let findCoordinator: Int16 = 10
        public static let syncGroup: Int16 = 14
        public static let initProducerID: Int16 = 22
    }
}
