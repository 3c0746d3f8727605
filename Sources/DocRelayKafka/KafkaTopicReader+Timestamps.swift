internal import CRdKafka
import Synchronization

extension KafkaTopicReader {
    /// The timestamp (milliseconds since the epoch, create or log-append time) of the first
    /// record at or after each given offset: what the relay needs to tell how old an inbox's
    /// oldest unread record is. Only that record's metadata is kept, never its value.
    ///
    /// A partition with no record from its offset on, or none within `stallTimeout`, or whose
    /// record carries no timestamp, is absent from the result. Like a read, it uses the reader
    /// alone: a read in progress makes it throw.
    public func firstTimestamps(at offsets: [KafkaTopicPartition: Int64]) async throws -> [KafkaTopicPartition: Int64] {
        guard !offsets.isEmpty else { return [:] }
        guard !closed.load(ordering: .acquiring) else { throw KafkaError.closed("reading timestamps") }
        guard !reading.exchange(true, ordering: .acquiringAndReleasing) else {
            throw KafkaError(
                code: .invalidArgument,
                message: "reading timestamps: this reader is already reading (use one reader per concurrent read)",
                isRetriable: false)
        }
        defer { reading.store(false, ordering: .releasing) }
        let client = client
        let stallTimeout = stallTimeout
        return try await runBlocking { () throws -> [KafkaTopicPartition: Int64] in
            try Self.assign(offsets.map { ($0.key, $0.value) }, client: client)
            defer { try? Self.assign([], client: client) }
            return try Self.collectTimestamps(offsets, client: client, within: stallTimeout)
        }
    }

    /// Polls until every partition of `offsets` gave its first record or its end, or `limit` passed.
    private static func collectTimestamps(
        _ offsets: [KafkaTopicPartition: Int64], client: RDKafkaClient, within limit: Duration
    ) throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        guard let queue = rd_kafka_queue_get_consumer(client.handle) else {
            throw KafkaError(code: .invalidArgument, message: "reading timestamps: the client has no consumer queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        let capacity = 100
        let messages = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: capacity)
        defer { messages.deallocate() }
        var waiting = offsets
        var found: [KafkaTopicPartition: Int64] = [:]
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while !waiting.isEmpty, clock.now < deadline {
            let count = rd_kafka_consume_batch_queue(queue, 100, messages, capacity)
            guard count > 0 else { continue }
            var finished: [KafkaTopicPartition] = []
            var failure: KafkaError?
            for index in 0..<count {
                guard let message = messages[index] else { continue }
                defer { rd_kafka_message_destroy(message) }
                let m = message.pointee
                guard let topic = m.rkt.map({ String(cString: rd_kafka_topic_name($0)) }) else { continue }
                let partition = KafkaTopicPartition(topic: topic, partition: m.partition)
                guard let wanted = waiting[partition] else { continue }
                if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    waiting[partition] = nil
                    finished.append(partition)
                } else if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let code = KafkaError.Code(m.err)
                    if !code.isRetriable, failure == nil {
                        let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? code.explanation
                        failure = KafkaError(code: code, message: "reading \(partition): \(text)")
                    }
                } else if m.offset >= wanted {
                    var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
                    let timestamp = rd_kafka_message_timestamp(message, &type)
                    if type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE { found[partition] = timestamp }
                    waiting[partition] = nil
                    finished.append(partition)
                }
            }
            if let failure { throw failure }
            if !finished.isEmpty {
                // Nothing more is needed of these: stop fetching them.
                let list = RDKafkaTopicPartitionList(finished)
                rd_kafka_pause_partitions(client.handle, list.pointer)
            }
        }
        return found
    }
}
