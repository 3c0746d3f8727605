import CRdKafka

/// Reads the high watermarks of many partitions in one request per broker
/// (`rd_kafka_offsets_for_times` with the "latest" timestamp), so that polling every 20 ms
/// costs the shared broker one small ListOffsets request each time, not one request per
/// partition. Blocking, from one thread at a time.
final class WatermarkProbe {
    private let client: RawClient
    /// Each topic with its partition count.
    let topics: [(name: String, partitions: Int)]
    private let timeoutMilliseconds: Int32 = 5_000

    init(bootstrapServers: String, topics: [(name: String, partitions: Int)]) throws(BenchFailure) {
        self.client = try RawClient(
            RD_KAFKA_PRODUCER, properties: [("bootstrap.servers", bootstrapServers), ("log_level", "3")])
        self.topics = topics
    }

    /// The high watermarks of every partition, by topic, indexed by partition.
    func highWatermarks() throws(BenchFailure) -> [String: [Int64]] {
        let count = topics.reduce(0) { $0 + $1.partitions }
        guard let list = rd_kafka_topic_partition_list_new(Int32(count)) else {
            throw BenchFailure("cannot allocate a topic-partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics {
            for partition in 0..<topic.partitions {
                // On input the timestamp; -1 asks for the latest offset, the high watermark.
                rd_kafka_topic_partition_list_add(list, topic.name, Int32(partition))?.pointee.offset = -1
            }
        }
        let result = rd_kafka_offsets_for_times(client.handle, list, timeoutMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchFailure("cannot read high watermarks: \(String(cString: rd_kafka_err2str(result)))")
        }
        var watermarks: [String: [Int64]] = [:]
        for topic in topics { watermarks[topic.name] = Array(repeating: 0, count: topic.partitions) }
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            let topic = String(cString: entry.topic)
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR, entry.offset >= 0 else {
                throw BenchFailure(
                    "cannot read the high watermark of \(topic)[\(entry.partition)]: \(String(cString: rd_kafka_err2str(entry.err)))")
            }
            watermarks[topic]?[Int(entry.partition)] = entry.offset
        }
        return watermarks
    }

    /// The sum of the high watermarks of each topic.
    func totals() throws(BenchFailure) -> [String: Int64] {
        try highWatermarks().mapValues { $0.reduce(0, +) }
    }

    func close() {
        client.close()
    }
}
