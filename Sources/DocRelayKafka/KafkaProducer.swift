internal import CRdKafka
public import Logging
import Foundation
import Synchronization

/// Sends records to Kafka and reports each one only once the broker acknowledged it.
///
/// Idempotent with `acks=all`: a record reported sent is held by every in-sync replica, and
/// librdkafka's retries never write it twice. Delivery reports resume the waiting `send` at
/// once and are not buffered; when librdkafka's queue is full, `send` waits for room.
public final class KafkaProducer: Sendable {
    private let client: RDKafkaClient
    private let poller: KafkaPollThread
    private let room: ProducerRoom
    private let closing = Atomic<Bool>(false)
    private let activeSends = Atomic<Int>(0)
    private let logger: Logger

    /// A producer with checked configuration. Makes no network call; see `connect`.
    public init(settings: KafkaProducerSettings, logger: Logger) throws(KafkaError) {
        let room = ProducerRoom()
        let events = RDKafkaEvents(logger: logger, onDelivery: { message in
            Self.delivered(message)
            room.signal()
        })
        self.client = try RDKafkaClient(
            kind: .producer, properties: settings.librdkafkaProperties, events: events)
        self.room = room
        self.logger = logger
        self.poller = KafkaPollThread(name: "docrelay-producer-poll")
        let client = client
        poller.start {
            // The poll thread keeps the client, and so the handle, alive.
            rd_kafka_poll(client.handle, 100)
        }
    }

    /// A producer whose cluster answered within `settings.connection.connectTimeout`.
    public static func connect(settings: KafkaProducerSettings, logger: Logger) async throws -> KafkaProducer {
        let producer = try KafkaProducer(settings: settings, logger: logger)
        let client = producer.client
        let timeout = settings.connection.connectTimeout
        do {
            try await runBlocking { () throws -> Void in try client.checkReachable(timeout: timeout) }
        } catch {
            await producer.close(timeout: .zero)
            throw error
        }
        return producer
    }

    deinit {
        closeNow(timeout: .zero)
    }

    /// Sends `record` and returns where the broker stored it, or throws a `KafkaError` telling
    /// whether a later attempt may succeed. Cancellation does not abort a record already handed
    /// to librdkafka: its outcome is still awaited.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws -> KafkaDeliveryReport {
        while true {
            let roomBefore = room.epoch
            let report: KafkaDeliveryReport? = try await withCheckedThrowingContinuation { continuation in
                switch attempt(record, DeliveryPromise(topic: record.topic, .continuation(continuation))) {
                case .queued: break  // the delivery report resumes the continuation
                case .queueFull: continuation.resume(returning: nil)
                case .failed(let error): continuation.resume(throwing: error)
                }
            }
            if let report { return report }
            await room.wait(changedFrom: roomBefore)
        }
    }

    /// Hands `record` to librdkafka, waiting only while its queue is full, and returns at once;
    /// `onDelivery` is then called exactly once with the outcome, on the producer's poll thread
    /// (keep it short: resume a task, count, mark a record processed). For high rates: no task
    /// per record is needed.
    public func send(
        _ record: KafkaProducerRecord,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) async {
        while true {
            let roomBefore = room.epoch
            switch attempt(record, DeliveryPromise(topic: record.topic, .callback(onDelivery))) {
            case .queued: return
            case .failed(let error):
                onDelivery(.failure(error))
                return
            case .queueFull: await room.wait(changedFrom: roomBefore)
            }
        }
    }

    private enum Attempt {
        case queued
        case queueFull
        case failed(KafkaError)
    }

    /// One try at handing a record to librdkafka. Lock-free: a send and `close` each announce
    /// themselves before looking at the other, so no record is enqueued after close drained.
    private func attempt(_ record: KafkaProducerRecord, _ promise: DeliveryPromise) -> Attempt {
        activeSends.add(1, ordering: .sequentiallyConsistent)
        defer { activeSends.subtract(1, ordering: .sequentiallyConsistent) }
        guard !closing.load(ordering: .sequentiallyConsistent) else {
            return .failed(.closed("send to \(record.topic)"))
        }
        let opaque = Unmanaged.passRetained(promise).toOpaque()
        let result = enqueue(record, opaque: opaque)
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR else { return .queued }
        Unmanaged<DeliveryPromise>.fromOpaque(opaque).release()
        if result == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        let code = KafkaError.Code(result)
        return .failed(KafkaError(
            code: code, message: "librdkafka refused a record for \(record.topic): \(code.explanation)"))
    }

    /// Waits until every record handed to `send` so far has its outcome, or `timeout` passed.
    public func flush(timeout: Duration) async throws {
        let client = client
        let result = await runBlocking { rd_kafka_flush(client.handle, Int32(timeout.milliseconds)) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "\(rd_kafka_outq_len(client.handle)) records still unacknowledged after \(timeout)")
        }
    }

    /// The fatal error librdkafka raised on this producer (an idempotence violation such as
    /// `OUT_OF_ORDER_SEQUENCE_NUMBER`), if any: from then on it accepts no record, and only a
    /// new producer can send.
    public var fatalError: KafkaError? { client.fatalError() }

    /// Asks a broker for metadata, failing after `timeout`: whether the cluster is reachable now.
    public func probe(timeout: Duration) async throws {
        let client = client
        try await runBlocking { () throws -> Void in try client.checkReachable(timeout: timeout) }
    }

    /// Asks for the metadata of every topic of the cluster at once, so that first sends to
    /// thousands of topics need no lookup each (librdkafka keeps the answer in its cache).
    /// Returns how many topics the cluster has.
    @discardableResult
    public func loadTopicMetadata(timeout: Duration) async throws -> Int {
        let client = client
        return try await runBlocking { () throws -> Int in try client.topicMetadata(timeout: timeout).count }
    }

    /// The bootstrap servers this producer reaches, for messages.
    public var bootstrapServers: String { client.bootstrapServers }

    /// Records waiting in librdkafka for acknowledgement.
    public var queuedRecordCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// Flushes for up to `timeout`, then fails what is still queued (retriable `_PURGE_*` errors,
    /// so every `send` returns), and stops. Later sends fail with a `closed` error.
    public func close(timeout: Duration = .seconds(30)) async {
        await runBlocking { [self] in closeNow(timeout: timeout) }
    }

    private func closeNow(timeout: Duration) {
        guard !closing.exchange(true, ordering: .sequentiallyConsistent) else { return }
        while activeSends.load(ordering: .sequentiallyConsistent) > 0 {
            Thread.sleep(forTimeInterval: 0.000_1)  // a send between its check and its enqueue
        }
        let handle = client.handle
        if rd_kafka_flush(handle, Int32(timeout.milliseconds)) != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "Producer closing with unacknowledged records; they fail as purged",
                metadata: [LogKey.count: "\(rd_kafka_outq_len(handle))"])
            rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            // Purged records get their delivery reports on the next polls.
            var rounds = 0
            while rd_kafka_outq_len(handle) > 0, rounds < 50 {
                rd_kafka_poll(handle, 100)
                rounds += 1
            }
        }
        poller.stop()
    }

    /// Enqueues one record in librdkafka, without blocking.
    private func enqueue(_ record: KafkaProducerRecord, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        let headers = makeRDKafkaHeaders(record.headers)
        let handle = client.handle
        let result = record.topic.withCString { topic in
            record.value.withUnsafeBytes { value in
                withOptionalBytes(record.key) { key in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
                        var count = 0
                        func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                            var vu = rd_kafka_vu_t()
                            vu.vtype = type
                            fill(&vu)
                            vus.initializeElement(at: count, to: vu)
                            count += 1
                        }
                        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        append(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = value.count > 0 ? UnsafeMutableRawPointer(mutating: value.baseAddress) : nil
                            $0.u.mem.size = value.count
                        }
                        if let key {
                            append(RD_KAFKA_VTYPE_KEY) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                                $0.u.mem.size = key.count
                            }
                        }
                        if let partition = record.partition {
                            append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
                        }
                        if let headers {
                            append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers }
                        }
                        if let timestamp = record.timestampMilliseconds {
                            append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                        }
                        append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                        let error = rd_kafka_produceva(handle, vus.baseAddress, count)
                        vus.baseAddress?.deinitialize(count: count)
                        guard let error else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                        defer { rd_kafka_error_destroy(error) }
                        return rd_kafka_error_code(error)
                    }
                }
            }
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            rd_kafka_headers_destroy(headers)
        }
        return result
    }

    /// The delivery report of one record: completes its `send`.
    private static func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else { return }
        let promise = Unmanaged<DeliveryPromise>.fromOpaque(opaque).takeRetainedValue()
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            promise.complete(.success(KafkaDeliveryReport(
                topic: promise.topic, partition: m.partition, offset: m.offset)))
        } else {
            let code = KafkaError.Code(m.err)
            let persisted = rd_kafka_message_status(message) != RD_KAFKA_MSG_STATUS_NOT_PERSISTED
            promise.complete(.failure(KafkaError(
                code: code,
                message: "record for \(promise.topic) not acknowledged: \(code.explanation)",
                possiblyPersisted: persisted)))
        }
    }
}

/// Who waits for one record's outcome, passed to librdkafka as the message opaque.
private final class DeliveryPromise: Sendable {
    enum Waiter: Sendable {
        case continuation(CheckedContinuation<KafkaDeliveryReport?, any Error>)
        case callback(@Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void)
    }

    let topic: String
    let waiter: Waiter

    init(topic: String, _ waiter: Waiter) {
        self.topic = topic
        self.waiter = waiter
    }

    func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        switch waiter {
        case .continuation(let continuation):
            continuation.resume(with: result.map { $0 }.mapError { $0 as any Error })
        case .callback(let callback):
            callback(result)
        }
    }
}

/// Lets a `send` that met a full librdkafka queue wait until a delivery report frees room.
///
/// Every delivery advances `epoch`; a sender that saw the queue full at epoch E waits only while
/// the epoch is still E, so no wake-up is lost between its attempt and its wait.
final class ProducerRoom: Sendable {
    private let counter = Atomic<UInt64>(0)
    private let waiterCount = Atomic<Int>(0)
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    var epoch: UInt64 { counter.load(ordering: .sequentiallyConsistent) }

    func signal() {
        counter.add(1, ordering: .sequentiallyConsistent)
        guard waiterCount.load(ordering: .sequentiallyConsistent) > 0 else { return }
        let ready = waiters.withLock { list in
            defer { list.removeAll() }
            return list
        }
        waiterCount.subtract(ready.count, ordering: .sequentiallyConsistent)
        for waiter in ready { waiter.resume() }
    }

    func wait(changedFrom observed: UInt64) async {
        await withCheckedContinuation { continuation in
            let resumeNow = waiters.withLock { list -> Bool in
                waiterCount.add(1, ordering: .sequentiallyConsistent)
                if counter.load(ordering: .sequentiallyConsistent) != observed {
                    waiterCount.subtract(1, ordering: .sequentiallyConsistent)
                    return true
                }
                list.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Runs `body` with the bytes of `bytes`, or `nil` when there are none.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
