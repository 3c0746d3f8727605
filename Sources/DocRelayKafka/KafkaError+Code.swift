internal import CRdKafka

extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are the client's own,
    /// positive ones are the Kafka protocol's.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The numeric `rd_kafka_resp_err_t` value.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        var rdKafkaCode: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's name for the code, e.g. `_MSG_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
        public var name: String { String(cString: rd_kafka_err2name(rdKafkaCode)) }

        /// librdkafka's description of the code.
        public var explanation: String { String(cString: rd_kafka_err2str(rdKafkaCode)) }

        public var description: String { name }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        public static let invalidMessageSize = Code(RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE)
        /// The broker refused a produce request's batch as larger than its limit.
        public static let recordListTooLarge = Code(RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE)
        /// The broker refused a record as invalid (e.g. a null key on a compacted topic).
        public static let invalidRecord = Code(RD_KAFKA_RESP_ERR_INVALID_RECORD)
        /// The client refused a record it could not serialise or that the broker rejected as corrupt.
        public static let badMessage = Code(RD_KAFKA_RESP_ERR__BAD_MSG)
        public static let corruptMessage = Code(RD_KAFKA_RESP_ERR_INVALID_MSG)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        /// A topic asked for more replicas than the cluster has brokers registered (yet).
        public static let invalidReplicationFactor = Code(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)
        public static let purgedFromQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        public static let purgedInFlight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// The group is rebalancing: a commit is refused until it has ended.
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// The commit carried a generation the group has left behind; librdkafka then treats
        /// the assignment as lost.
        public static let illegalGeneration = Code(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)
        public static let unknownMemberID = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
        /// A fatal error of the client (e.g. the idempotent producer's sequence broken).
        public static let outOfOrderSequenceNumber = Code(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER)

        /// Codes after which the same operation may succeed later: brokers or leaders that are
        /// away, timeouts, topics or coordinators not ready yet, records purged at shutdown.
        public var isRetriable: Bool { Self.retriable.contains(rawValue) }

        private static let retriable: Set<Int32> = [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__RESOLVE,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR__WAIT_COORD,
            RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS,
            RD_KAFKA_RESP_ERR__NODE_UPDATE, RD_KAFKA_RESP_ERR__PURGE_QUEUE,
            RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR__RETRY,
            RD_KAFKA_RESP_ERR__ISR_INSUFF,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
            RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
        ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
    }
}
