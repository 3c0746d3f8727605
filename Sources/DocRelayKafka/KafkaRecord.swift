/// A record read from Kafka, with its coordinates. Its bytes are copied out of librdkafka, so it
/// lives independently of the client.
public struct KafkaRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (create or log-append time), when the broker gave one.
    public var timestampMilliseconds: Int64?

    /// The assignment this record was fetched under; a completion from an older assignment of
    /// the same partition is ignored.
    var generation: UInt64 = 0

    /// The consumer's count of records handed to the application before this one (0 for the
    /// first): dense, in hand-out order, so that tasks processing records in parallel can tell
    /// whether every record handed out before one has reached them (`SegmentOrder`).
    public internal(set) var handOutSequence: UInt64 = 0

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    /// Bytes held by the record (key, value, headers), for buffer and admission accounting.
    public var byteCount: Int {
        (key?.count ?? 0) + value.count
            + headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
    }
}

/// A record to send. Without a partition, librdkafka's partitioner picks one from the key
/// (records with the same key land in the same partition).
public struct KafkaProducerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// The record's create time, milliseconds since the epoch; nil: when it is sent (what every
    /// DocRelay writer uses; tests set older times to show what retention does to them).
    public var timestampMilliseconds: Int64?

    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// Where the broker stored a sent record, once it acknowledged it.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}
