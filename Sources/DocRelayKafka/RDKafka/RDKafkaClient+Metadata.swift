internal import CRdKafka

extension RDKafkaClient {
    /// Every topic the cluster reports without error, with its partition count, sorted by name.
    /// Blocking: call it off the cooperative pool.
    func topicMetadata(timeout: Duration) throws(KafkaError) -> [KafkaTopicMetadata] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 1, nil, &metadata, Int32(timeout.milliseconds))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "cannot list topics: \(events.lastError ?? KafkaError.Code(result).explanation)")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        return topics.filter { $0.err == RD_KAFKA_RESP_ERR_NO_ERROR }.map {
            KafkaTopicMetadata(name: String(cString: $0.topic), partitionCount: Int($0.partition_cnt))
        }.sorted { $0.name < $1.name }
    }

    /// The low and high watermarks of every partition of `topic`; a topic that does not exist
    /// throws `unknownTopicOrPartition`, naming it. Blocking.
    func watermarks(of topic: String, timeout: Duration) throws(KafkaError) -> [KafkaPartitionOffsets] {
        guard let entry = try topicMetadata(timeout: timeout).first(where: { $0.name == topic }) else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "no topic named \(topic)", isRetriable: false)
        }
        return try watermarks(of: topic, partitionCount: entry.partitionCount, timeout: timeout)
    }

    /// The low and high watermarks of partitions 0..<`partitionCount` of `topic`, without a
    /// metadata request. Blocking.
    func watermarks(of topic: String, partitionCount: Int, timeout: Duration) throws(KafkaError) -> [KafkaPartitionOffsets] {
        var offsets: [KafkaPartitionOffsets] = []
        for partition in 0..<Int32(partitionCount) {
            var low: Int64 = 0
            var high: Int64 = 0
            let result = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, Int32(timeout.milliseconds))
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(
                    code: KafkaError.Code(result),
                    message: "cannot read the offsets of \(topic)[\(partition)]: \(KafkaError.Code(result).explanation)")
            }
            offsets.append(KafkaPartitionOffsets(partition: partition, low: low, high: high))
        }
        return offsets
    }
}
