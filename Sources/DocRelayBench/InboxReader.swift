import CRdKafka
import Foundation

/// Reads the inboxes as a recipient agency would, to time the latency phase: a consumer
/// assigned (no group, so no join delay) to every inbox partition from given offsets, noting
/// for each document (acks are skipped) when it was read, on this process's wall clock, and
/// the record's CreateTime (set by the relay's producer when it wrote the record).
///
/// Blocking, on a thread of its own: `run` polls until `expected` documents were read or the
/// deadline passed.
final class InboxReader {
    struct Arrival: Sendable {
        /// Wall clock when read, ms since the epoch (fractional).
        var readAt: Double
        /// The inbox record's CreateTime, whole ms since the epoch.
        var createdAt: Int64
    }

    private let client: RawClient

    /// `fetchWaitMilliseconds`: `fetch.wait.max.ms`. The mock cluster holds a fetch that finds
    /// no data for this long even when data arrives meanwhile (a real broker answers as soon
    /// as there is some), so a low value stands for a real broker's prompt answer.
    init(bootstrapServers: String, fetchWaitMilliseconds: Int) throws(BenchFailure) {
        client = try RawClient(
            RD_KAFKA_CONSUMER,
            properties: [
                ("bootstrap.servers", bootstrapServers),
                ("group.id", "docrelay-bench-inbox-reader"),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("fetch.wait.max.ms", String(fetchWaitMilliseconds)),
                ("log_level", "3"),
            ])
    }

    /// Assigns every partition of `start` from the offset given (no group join).
    func assign(_ start: [String: [Int64]]) throws(BenchFailure) {
        let count = start.values.reduce(0) { $0 + $1.count }
        guard let list = rd_kafka_topic_partition_list_new(Int32(count)) else {
            throw BenchFailure("cannot allocate a topic-partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (topic, offsets) in start {
            for (partition, offset) in offsets.enumerated() {
                rd_kafka_topic_partition_list_add(list, topic, Int32(partition))?.pointee.offset = offset
            }
        }
        let result = rd_kafka_assign(client.handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchFailure("cannot assign the inboxes: \(String(cString: rd_kafka_err2str(result)))")
        }
    }

    /// Polls for `duration` so that the reader is connected and fetching before the clock of
    /// the first document starts; nothing should arrive meanwhile.
    func warmUp(for duration: Duration) throws(BenchFailure) {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while ContinuousClock.now < deadline {
            guard let message = rd_kafka_consumer_poll(client.handle, 20) else { continue }
            let m = message.pointee
            rd_kafka_message_destroy(message)
            if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                throw BenchFailure("an inbox received a record before the latency phase started")
            }
        }
    }

    /// Reads until `expected` documents arrived or `limit` passed; the arrivals by document id.
    func run(expected: Int, limit: Duration) throws(BenchFailure) -> [String: Arrival] {
        let deadline = ContinuousClock.now.advanced(by: limit)
        var arrivals: [String: Arrival] = [:]
        while arrivals.count < expected {
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("the inboxes received \(arrivals.count) of the \(expected) latency documents within \(limit)")
            }
            guard let message = rd_kafka_consumer_poll(client.handle, 50) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let readAt = Date().timeIntervalSince1970 * 1000
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            guard !Self.isAck(message), let key = m.key else { continue }
            let id = String(decoding: UnsafeRawBufferPointer(start: key, count: m.key_len), as: UTF8.self)
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let created = rd_kafka_message_timestamp(message, &type)
            if arrivals[id] == nil { arrivals[id] = Arrival(readAt: readAt, createdAt: created) }
        }
        return arrivals
    }

    /// Whether the record's `dr-kind` is `ack`.
    private static func isAck(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> Bool {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return false }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, "dr-kind", &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let value else {
            return false
        }
        return String(decoding: UnsafeRawBufferPointer(start: value, count: size), as: UTF8.self) == "ack"
    }

    func close() {
        client.close()
    }
}
