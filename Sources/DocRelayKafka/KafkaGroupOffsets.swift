internal import CRdKafka
import Logging

/// Reads the offsets a consumer group committed (for lag and inbox retention), through a
/// consumer handle of that group which joins nothing: one OffsetFetch to the group's
/// coordinator (`rd_kafka_committed`), then the handle is destroyed. Blocking: call it off the
/// cooperative pool.
///
/// Why not the Admin API's ListConsumerGroupOffsets: librdkafka (2.0.2 here; issue 4605 is
/// open, its fix proposed in PR 5397) frees a coordinator-bound admin request's
/// enqueue-once object twice when the request cannot be sent on the coordinator connection
/// (one dropped after timed-out requests, a broker restart), and the whole process aborts with
/// `rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0'`. The relay measured
/// its lag that way every 15 s and aborted under load (a clean-clone `ScaleTests` run, right
/// after its lag read timed out). A group's own consumer handle fetches offsets through its
/// group coordinator instead, a path without that object. The cost is a short-lived handle
/// per read (its threads and one coordinator lookup).
enum KafkaGroupOffsets {
    /// Partitions per OffsetFetch. librdkafka merges an answer into the list asked for by a
    /// linear search per partition: 10,000 partitions in one request took 0.77 s on the
    /// embedded broker, in requests of 2,000 0.38 s (one handle for all).
    static let batch = 2_000

    /// The offsets `group` committed on `partitions`; partitions without a commit are absent.
    /// Throws the OffsetFetch's error (`_TIMED_OUT` when no coordinator answered within
    /// `timeout`), naming the group.
    static func committed(
        group: String, partitions: [KafkaTopicPartition], settings: KafkaSettings, logger: Logger, timeout: Duration
    ) throws -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let properties = settings.librdkafkaProperties + [
            ("group.id", group),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
        ]
        let client = try RDKafkaClient(kind: .consumer, properties: properties, events: RDKafkaEvents(logger: logger))
        let deadline = ContinuousClock.now.advanced(by: max(timeout, .milliseconds(1)))
        var offsets: [KafkaTopicPartition: Int64] = [:]
        offsets.reserveCapacity(partitions.count)
        for start in stride(from: 0, to: partitions.count, by: batch) {
            let list = RDKafkaTopicPartitionList(partitions[start..<min(start + batch, partitions.count)])
            let remaining = max(ContinuousClock.now.duration(to: deadline), .milliseconds(1))
            let result = rd_kafka_committed(client.handle, list.pointer, Int32(clamping: remaining.milliseconds))
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let code = KafkaError.Code(result)
                throw KafkaError(code: code, message: "cannot read the offsets of group \(group): \(code.explanation)")
            }
            for entry in list.entries where entry.error == .noError && entry.offset >= 0 {
                offsets[entry.partition] = entry.offset
            }
        }
        return offsets
    }
}
