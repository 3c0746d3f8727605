internal import CRdKafka
import Foundation
public import Logging
import Synchronization

/// Reads a whole topic quickly, without joining a consumer group: what operators' commands
/// (`docrelay dlq`, `docrelay trace`) need of the dead-letter and events topics.
///
/// A read takes each partition's low and high watermarks when it starts, assigns the
/// partitions explicitly (no group membership, no rebalance wait) at their low watermark and
/// ends when every partition reached the high watermark it had at the start: records produced
/// afterwards are not part of it. Nothing is ever committed.
///
/// Records are fetched in batches on a thread of their own, only when the application asks for
/// more (`records(of:)` is an `AsyncSequence`), so a large topic is never held in memory unless
/// the caller collects it (`readAll`). librdkafka's own prefetch is bounded as well.
///
/// One reader reads one topic at a time; a second read started while one is running throws.
/// Use one reader per concurrent read (or per cluster).
public final class KafkaTopicReader: Sendable {
    let client: RDKafkaClient
    private let requestTimeout: Duration
    let stallTimeout: Duration
    private let batchSize: Int
    private let logger: Logger
    let reading = Atomic<Bool>(false)
    let closed = Atomic<Bool>(false)

    /// A reader with checked configuration. Makes no network call; see `connect`.
    ///
    /// - Parameters:
    ///   - stallTimeout: how long a read waits without any record of a partition it still has
    ///     to read before failing with `_TIMED_OUT` (the cluster went away). Default 30 s.
    ///   - batchSize: records fetched at most per batch. Default 500.
    public init(
        settings: KafkaSettings, logger: Logger, stallTimeout: Duration = .seconds(30), batchSize: Int = 500
    ) throws(KafkaError) {
        var properties: [(String, String)] = [
            // A group id is needed to assign partitions; this one is never joined nor committed to.
            ("group.id", "docrelay-reader-\(UUID().uuidString.lowercased())"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"),
            ("enable.partition.eof", "true"),
            ("allow.auto.create.topics", "false"),
            // Bounds what librdkafka prefetches per partition while the application is busy.
            ("queued.max.messages.kbytes", "16384"),
        ]
        properties += settings.librdkafkaProperties
        self.client = try RDKafkaClient(kind: .consumer, properties: properties, events: RDKafkaEvents(logger: logger))
        self.requestTimeout = max(settings.connectTimeout, .seconds(1))
        self.stallTimeout = stallTimeout
        self.batchSize = max(batchSize, 1)
        self.logger = logger
    }

    /// A reader whose cluster answered within `settings.connectTimeout`.
    public static func connect(
        settings: KafkaSettings, logger: Logger, stallTimeout: Duration = .seconds(30)
    ) async throws -> KafkaTopicReader {
        let reader = try KafkaTopicReader(settings: settings, logger: logger, stallTimeout: stallTimeout)
        let client = reader.client
        let timeout = settings.connectTimeout
        try await runBlocking { () throws -> Void in try client.checkReachable(timeout: timeout) }
        return reader
    }

    /// The partitions of `topic` with their low and high watermarks now, by partition. A topic
    /// that does not exist throws `unknownTopicOrPartition`, naming it.
    public func watermarks(of topic: String) async throws -> [KafkaPartitionOffsets] {
        let client = client
        let timeout = requestTimeout
        return try await runBlocking { () throws -> [KafkaPartitionOffsets] in
            try client.watermarks(of: topic, timeout: timeout)
        }
    }

    /// Every record of `topic` from the low to the high watermark of each partition as they were
    /// when the read started, sorted by partition, then offset.
    public func readAll(_ topic: String) async throws -> [KafkaRecord] {
        var collected: [KafkaRecord] = []
        for try await record in records(of: topic) {
            collected.append(record)
        }
        return collected.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// The same records as `readAll`, as they are fetched: in offset order within a partition,
    /// partitions interleaved. The read starts with the first `next()`; a topic that does not
    /// exist throws `unknownTopicOrPartition` there.
    public func records(of topic: String) -> Records {
        Records(reader: self, topic: topic)
    }

    /// Leaves the cluster. Reading afterwards throws. (The last reference going does the same.)
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let client = client
        await runBlocking { _ = rd_kafka_consumer_close(client.handle) }
    }

    // MARK: Reads

    /// One read in progress: it holds the reader until it is finished or dropped.
    final class Scan: Sendable {
        let topic: String
        let progress: Mutex<Progress>
        private let reader: KafkaTopicReader
        private let released = Atomic<Bool>(false)

        init(reader: KafkaTopicReader, topic: String, progress: Progress) {
            self.reader = reader
            self.topic = topic
            self.progress = Mutex(progress)
        }

        var isFinished: Bool { progress.withLock { $0.isFinished } }

        /// Frees the reader for the next read, once (at the end, or when an unfinished read is
        /// dropped: a thread that served it may hold it a little longer, so the end says so at once).
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            reader.reading.store(false, ordering: .releasing)
        }

        deinit {
            release()
        }
    }

    /// Takes the watermarks and assigns the partitions that hold records.
    func start(_ topic: String) async throws -> Scan {
        guard !closed.load(ordering: .acquiring) else { throw KafkaError.closed("reading \(topic)") }
        guard !reading.exchange(true, ordering: .acquiringAndReleasing) else {
            throw KafkaError(
                code: .invalidArgument,
                message: "reading \(topic): this reader is already reading a topic (use one reader per concurrent read)",
                isRetriable: false)
        }
        let offsets: [KafkaPartitionOffsets]
        do {
            offsets = try await watermarks(of: topic)
        } catch {
            reading.store(false, ordering: .releasing)
            throw error
        }
        let scan = Scan(reader: self, topic: topic, progress: Progress(offsets))
        let starts = offsets.filter { $0.high > $0.low }.map {
            (KafkaTopicPartition(topic: topic, partition: $0.partition), $0.low)
        }
        let client = client
        try await runBlocking { () throws -> Void in try Self.assign(starts, client: client) }
        return scan
    }

    /// Fetches the next batch of `scan` (empty once it is finished), waiting at most
    /// `stallTimeout` for a partition still to read to move.
    func nextBatch(_ scan: Scan) async throws -> [KafkaRecord] {
        let client = client
        let limit = batchSize
        let stallTimeout = stallTimeout
        let logger = logger
        let records = try await runBlocking { () throws -> [KafkaRecord] in
            let clock = ContinuousClock()
            var deadline = clock.now.advanced(by: stallTimeout)
            while !scan.isFinished {
                let (records, moved) = try Self.fetch(scan, client: client, limit: limit, logger: logger)
                if !records.isEmpty { return records }
                if moved {
                    deadline = clock.now.advanced(by: stallTimeout)
                    continue
                }
                guard clock.now < deadline else {
                    let waiting = scan.progress.withLock { $0.remaining.keys.sorted() }
                    throw KafkaError(
                        code: .timedOut,
                        message: "reading \(scan.topic): nothing arrived from partitions \(waiting.map(String.init).joined(separator: ", ")) within \(stallTimeout)")
                }
            }
            return []
        }
        if records.isEmpty {
            // Finished: stop fetching (the next read assigns anew).
            try await runBlocking { () throws -> Void in try Self.assign([], client: client) }
        }
        return records
    }

    // MARK: Blocking parts

    /// Replaces the assignment (empty: none).
    static func assign(_ starts: [(KafkaTopicPartition, Int64)], client: RDKafkaClient) throws(KafkaError) {
        let result: rd_kafka_resp_err_t
        if starts.isEmpty {
            result = rd_kafka_assign(client.handle, nil)
        } else {
            let list = RDKafkaTopicPartitionList(offsets: starts)
            result = rd_kafka_assign(client.handle, list.pointer)
            // A partition finished by an earlier read was paused; its pause outlives assignments.
            if result == RD_KAFKA_RESP_ERR_NO_ERROR { rd_kafka_resume_partitions(client.handle, list.pointer) }
        }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "cannot assign \(starts.map { "\($0.0)@\($0.1)" }.joined(separator: ", ")): \(KafkaError.Code(result).explanation)")
        }
    }

    /// One poll of the consumer queue (up to 100 ms): the records of the read, and whether any
    /// partition moved (a record or its end), even if no record belonged to the read.
    static func fetch(
        _ scan: Scan, client: RDKafkaClient, limit: Int, logger: Logger
    ) throws(KafkaError) -> (records: [KafkaRecord], moved: Bool) {
        guard let queue = rd_kafka_queue_get_consumer(client.handle) else {
            throw KafkaError(code: .invalidArgument, message: "reading \(scan.topic): the client has no consumer queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        let messages = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: limit)
        defer { messages.deallocate() }
        let count = rd_kafka_consume_batch_queue(queue, 100, messages, limit)
        guard count > 0 else { return ([], false) }

        var records: [KafkaRecord] = []
        var moved = false
        var failure: KafkaError?
        for index in 0..<count {
            guard let message = messages[index] else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) }
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                guard topic == scan.topic else { continue }
                scan.progress.withLock { $0.reachedEnd(partition: m.partition, offset: m.offset) }
                moved = true
            } else if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let code = KafkaError.Code(m.err)
                let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? code.explanation
                if code.isRetriable {
                    logger.debug("Transient error while reading a topic", metadata: [
                        LogKey.errorCode: "\(code.name)", LogKey.error: "\(text)",
                    ])
                } else if failure == nil {
                    failure = KafkaError(code: code, message: "reading \(scan.topic): \(text)")
                }
            } else if topic == scan.topic {
                moved = true
                let accepted = scan.progress.withLock { $0.accept(partition: m.partition, offset: m.offset) }
                if accepted {
                    records.append(KafkaRecord(copying: message, topic: scan.topic, generation: 0))
                }
            }
        }
        if let failure { throw failure }
        let finished = scan.progress.withLock { $0.takeFinished() }
        if !finished.isEmpty {
            let list = RDKafkaTopicPartitionList(finished.map { KafkaTopicPartition(topic: scan.topic, partition: $0) })
            rd_kafka_pause_partitions(client.handle, list.pointer)
        }
        return (records, moved)
    }
}

extension KafkaTopicReader {
    /// The records of one read of a topic, as an `AsyncSequence`: fetched a batch at a time
    /// when the previous batch is used up. Ends at the high watermarks taken at the start.
    public struct Records: AsyncSequence, Sendable {
        public typealias Element = KafkaRecord
        let reader: KafkaTopicReader
        let topic: String

        public struct AsyncIterator: AsyncIteratorProtocol {
            let reader: KafkaTopicReader
            let topic: String
            private var scan: Scan?
            private var buffer: [KafkaRecord] = []
            private var index = 0
            private var done = false

            init(reader: KafkaTopicReader, topic: String) {
                self.reader = reader
                self.topic = topic
            }

            public mutating func next() async throws -> KafkaRecord? {
                while true {
                    if index < buffer.count {
                        defer { index += 1 }
                        return buffer[index]
                    }
                    guard !done else { return nil }
                    buffer = []
                    index = 0
                    let current: Scan
                    if let scan {
                        current = scan
                    } else {
                        current = try await reader.start(topic)
                        scan = current
                    }
                    do {
                        buffer = try await reader.nextBatch(current)
                    } catch {
                        done = true
                        current.release()
                        scan = nil
                        throw error
                    }
                    if buffer.isEmpty {
                        done = true
                        current.release()
                        scan = nil
                    }
                }
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(reader: reader, topic: topic)
        }
    }
}
