import CRdKafka

/// The `raw` pass-through: librdkafka called directly, on one thread, the way a C program
/// would. The baseline every later relay figure is a ratio of.
///
/// A consumer (manual commits, offsets not stored automatically) polls the source; each record
/// is produced to the destination with `rd_kafka_produceva` (value, key and a copy of the
/// headers, copied by librdkafka; its source coordinates as the message opaque) on an
/// idempotent producer whose delivery reports, served by `rd_kafka_poll(producer, 0)` in the
/// same loop, advance per source partition the offset to commit. Offsets are committed
/// asynchronously every 100 ms and synchronously at the end.
struct RawPassThrough: Sendable {
    let bootstrapServers: String
    let records: Int
    let group: String

    static let commitInterval: Duration = .milliseconds(100)
    /// Longest wait for the first record (the mock's group join takes ~3 s) or, later, for
    /// any progress, before the run is declared failed.
    static let stallLimit: Duration = .seconds(60)

    /// Runs the pass-through to completion. Blocking: call it on a thread of its own.
    /// Returns the time from the first record received to the final commit's return.
    func run() throws -> Duration {
        let tally = RawDeliveryTally(partitions: BenchWorkload.partitions)
        let producer = try RawClient(
            RD_KAFKA_PRODUCER,
            properties: [
                ("bootstrap.servers", bootstrapServers),
                ("enable.idempotence", "true"),
                ("acks", "all"),
                ("linger.ms", "5"),
                ("log_level", "3"),
            ],
            prepare: { tally.install(on: $0) })
        let consumer = try RawClient(
            RD_KAFKA_CONSUMER,
            properties: [
                ("bootstrap.servers", bootstrapServers),
                ("group.id", group),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("auto.offset.reset", "earliest"),
                ("session.timeout.ms", "6000"),
                ("log_level", "3"),
            ])
        // Clients go before the tally they call back into (and before the cluster).
        defer {
            consumer.close()
            producer.close()
            withExtendedLifetime(tally) {}
        }
        let destination = try warmUp(producer)
        defer { rd_kafka_topic_destroy(destination) }
        try subscribe(consumer)
        return try BenchWorkload.destinationTopic.withCString { topic in
            try passThrough(consumer: consumer, producer: producer, tally: tally, topic: topic)
        }
    }

    /// Makes the producer learn the destination's partitions before the clock starts.
    /// librdkafka 2.0 otherwise learns them only at its next 1-second topic scan after the
    /// first produce, a delay of up to a second that has nothing to do with throughput.
    /// Returns the topic handle, kept until the end so the topic stays known.
    private func warmUp(_ producer: RawClient) throws(BenchFailure) -> OpaquePointer {
        guard let topic = rd_kafka_topic_new(producer.handle, BenchWorkload.destinationTopic, nil) else {
            throw BenchFailure("rd_kafka_topic_new failed for \(BenchWorkload.destinationTopic)")
        }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(producer.handle, 0, topic, &metadata, 10_000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_topic_destroy(topic)
            throw BenchFailure("no metadata for \(BenchWorkload.destinationTopic): \(String(cString: rd_kafka_err2str(result)))")
        }
        return topic
    }

    private func subscribe(_ consumer: RawClient) throws(BenchFailure) {
        guard let list = rd_kafka_topic_partition_list_new(1) else {
            throw BenchFailure("cannot allocate a topic-partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_topic_partition_list_add(list, BenchWorkload.sourceTopic, RD_KAFKA_PARTITION_UA)
        let result = rd_kafka_subscribe(consumer.handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchFailure("subscribe failed: \(String(cString: rd_kafka_err2str(result)))")
        }
    }

    /// The measured loop.
    private func passThrough(
        consumer: RawClient, producer: RawClient, tally: RawDeliveryTally,
        topic: UnsafePointer<CChar>
    ) throws -> Duration {
        let clock = ContinuousClock()
        let vus = UnsafeMutablePointer<rd_kafka_vu_t>.allocate(capacity: 6)
        defer { vus.deallocate() }
        var committed = Array(repeating: Int64(-1), count: BenchWorkload.partitions)
        var received = 0
        var started: ContinuousClock.Instant?
        var nextCommit = clock.now.advanced(by: Self.commitInterval)
        var lastProgress = clock.now
        var lastCount = 0

        while tally.acknowledged + tally.failed < records {
            if received < records {
                if let message = rd_kafka_consumer_poll(consumer.handle, 10) {
                    defer { rd_kafka_message_destroy(message) }
                    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                        if started == nil { started = clock.now }
                        try produce(UnsafePointer(message), to: topic, producer: producer.handle, vus: vus)
                        received += 1
                    }
                }
                rd_kafka_poll(producer.handle, 0)
            } else {
                rd_kafka_poll(producer.handle, 10)
            }

            let now = clock.now
            if now >= nextCommit {
                nextCommit = now.advanced(by: Self.commitInterval)
                try commit(tally.nextOffsets, since: &committed, consumer: consumer.handle, async: true)
            }
            let progress = received + tally.acknowledged + tally.failed
            if progress != lastCount {
                lastCount = progress
                lastProgress = now
            } else if now - lastProgress > Self.stallLimit {
                throw BenchFailure(
                    "raw pass-through stalled: \(received) received, \(tally.acknowledged) acknowledged of \(records)")
            }
        }
        guard tally.failed == 0 else {
            let code = tally.firstFailure.map { String(cString: rd_kafka_err2str($0)) } ?? "unknown"
            throw BenchFailure("\(tally.failed) records not acknowledged, first: \(code)")
        }
        committed = Array(repeating: -1, count: BenchWorkload.partitions)
        try commit(tally.nextOffsets, since: &committed, consumer: consumer.handle, async: false)
        let ended = clock.now
        guard let started else { throw BenchFailure("no record received") }
        return ended - started
    }

    /// Produces a copy of a consumed message to `topic`, polling the producer while its
    /// queue is full. The header copy passes to librdkafka on success.
    private func produce(
        _ message: UnsafePointer<rd_kafka_message_t>, to topic: UnsafePointer<CChar>,
        producer: OpaquePointer, vus: UnsafeMutablePointer<rd_kafka_vu_t>
    ) throws(BenchFailure) {
        let m = message.pointee
        var sourceHeaders: OpaquePointer?
        let headers: OpaquePointer? =
            if rd_kafka_message_headers(message, &sourceHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR, let sourceHeaders {
                rd_kafka_headers_copy(sourceHeaders)
            } else {
                nil
            }
        var count = 0
        func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
            var vu = rd_kafka_vu_t()
            vu.vtype = type
            fill(&vu)
            vus[count] = vu
            count += 1
        }
        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
        append(RD_KAFKA_VTYPE_VALUE) {
            $0.u.mem.ptr = m.payload
            $0.u.mem.size = m.len
        }
        append(RD_KAFKA_VTYPE_KEY) {
            $0.u.mem.ptr = m.key
            $0.u.mem.size = m.key_len
        }
        if let headers {
            append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
        }
        append(RD_KAFKA_VTYPE_OPAQUE) {
            $0.u.ptr = RawDeliveryTally.messageOpaque(partition: m.partition, offset: m.offset)
        }
        while true {
            guard let error = rd_kafka_produceva(producer, vus, count) else { return }
            let code = rd_kafka_error_code(error)
            rd_kafka_error_destroy(error)
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_poll(producer, 10)
                continue
            }
            // On failure the headers stay the caller's.
            if let headers { rd_kafka_headers_destroy(headers) }
            throw BenchFailure("rd_kafka_produceva failed: \(String(cString: rd_kafka_err2str(code)))")
        }
    }

    /// Commits, per source partition, the acknowledged offsets that moved since the last
    /// commit. Synchronous commits are checked partition by partition.
    private func commit(
        _ offsets: [Int64], since committed: inout [Int64], consumer: OpaquePointer, async: Bool
    ) throws(BenchFailure) {
        let moved = offsets.indices.filter { offsets[$0] > committed[$0] }
        guard !moved.isEmpty else { return }
        guard let list = rd_kafka_topic_partition_list_new(Int32(moved.count)) else {
            throw BenchFailure("cannot allocate a topic-partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in moved {
            rd_kafka_topic_partition_list_add(list, BenchWorkload.sourceTopic, Int32(partition))?.pointee.offset =
                offsets[partition]
            committed[partition] = offsets[partition]
        }
        let result = rd_kafka_commit(consumer, list, async ? 1 : 0)
        guard !async else { return }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchFailure("final commit failed: \(String(cString: rd_kafka_err2str(result)))")
        }
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw BenchFailure(
                    "final commit of partition \(entry.partition) failed: \(String(cString: rd_kafka_err2str(entry.err)))")
            }
        }
    }
}
