internal import CRdKafka

/// An owned `rd_kafka_topic_partition_list_t`, built from Swift values.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(capacity, 1)))
    }

    convenience init(_ partitions: some Collection<KafkaTopicPartition>) {
        self.init(capacity: partitions.count)
        for partition in partitions { add(partition) }
    }

    convenience init(offsets: some Collection<(KafkaTopicPartition, Int64)>) {
        self.init(capacity: offsets.count)
        for (partition, offset) in offsets { add(partition, offset: offset) }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func add(_ partition: KafkaTopicPartition, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
        if let offset, let element { element.pointee.offset = offset }
    }

    var isEmpty: Bool { pointer.pointee.cnt == 0 }

    /// The entries of a list librdkafka owns or we own, copied out.
    static func entries(
        of list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> [(partition: KafkaTopicPartition, offset: Int64, error: KafkaError.Code)] {
        guard let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return (
                KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                element.offset,
                KafkaError.Code(element.err)
            )
        }
    }

    var entries: [(partition: KafkaTopicPartition, offset: Int64, error: KafkaError.Code)] {
        Self.entries(of: pointer)
    }
}
