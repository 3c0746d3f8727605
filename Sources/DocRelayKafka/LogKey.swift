/// Metadata keys of the Kafka layer's log messages, named once.
enum LogKey {
    static let topic = "kafka.topic"
    static let partition = "kafka.partition"
    static let offset = "kafka.offset"
    static let group = "kafka.group"
    static let error = "kafka.error"
    static let errorCode = "kafka.error.code"
    static let facility = "kafka.librdkafka.facility"
    static let detail = "kafka.librdkafka.message"
    static let bootstrap = "kafka.bootstrap"
    static let partitions = "kafka.partitions"
    static let count = "kafka.count"
}
