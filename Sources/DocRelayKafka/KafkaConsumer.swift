internal import CRdKafka
import Foundation
public import Logging
import Synchronization

/// A consumer-group member that hands records to the application as an `AsyncSequence` and
/// commits only offsets the application marked processed.
///
/// - Backpressure: at most `maxBufferedRecords` / `maxBufferedBytes` wait for the application;
///   beyond that the poll thread stops polling until the buffer drains to half, and librdkafka's
///   own prefetch is bounded by the same figures. (Pausing partitions instead would discard
///   librdkafka's prefetched records and stall the next fetch.) An application that takes no
///   record for `max.poll.interval.ms` (5 min) leaves the group, as with any Kafka client.
/// - Commits: `markProcessed` records an outcome as durable; the offset before which every
///   handed-out record is processed is committed every `commitInterval`, on `commit()`, before a
///   rebalance takes partitions away, and on `close()`.
/// - Pause and resume per partition, restarting at a chosen offset.
///
/// A poll thread of its own serves librdkafka (fetches, rebalances, commit results), so the
/// cooperative pool is never blocked.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    let state: LockedValue<StateMachine>
    private let poller: KafkaPollThread
    /// Wakes the poll thread when the application made room in a full buffer.
    private let room = DispatchSemaphore(value: 0)
    private let fetchBatch: FetchBatch
    private let settings: KafkaConsumerSettings
    private let logger: Logger
    private let nextWaiterID = Atomic<UInt64>(0)
    private let lifecycle = Mutex(Lifecycle.created)

    private enum Lifecycle { case created, subscribed, closed }

    /// A consumer with checked configuration. Makes no network call; see `connect`.
    public init(settings: KafkaConsumerSettings, logger: Logger) throws(KafkaError) {
        var groupLogger = logger
        groupLogger[metadataKey: LogKey.group] = "\(settings.groupID)"
        let logger = groupLogger
        let state = LockedValue(StateMachine(
            maxBufferedRecords: settings.maxBufferedRecords,
            maxBufferedBytes: settings.maxBufferedBytes))
        let rebalancer = Rebalancer(
            state: state, logger: logger, drainTimeout: settings.drainTimeout,
            revokeCommitTimeout: min(settings.drainTimeout, settings.sessionTimeout / 3),
            handOverGrace: settings.handOverGrace,
            startTimestamp: settings.startOffset == .latest ? Int64(RD_KAFKA_OFFSET_END) : Int64(RD_KAFKA_OFFSET_BEGINNING))
        let events = RDKafkaEvents(
            logger: logger,
            onRebalance: { client, event, partitions in
                rebalancer.handle(client: client, event: event, partitions: partitions)
            },
            onCommit: { result, offsets in
                Self.commitCompleted(result: result, offsets: offsets, state: state, logger: logger)
            })
        self.client = try RDKafkaClient(
            kind: .consumer, properties: settings.librdkafkaProperties, events: events)
        self.state = state
        self.settings = settings
        self.logger = logger
        self.poller = KafkaPollThread(name: "docrelay-consumer-poll")
        self.fetchBatch = FetchBatch(client: client, capacity: 256)
    }

    /// A consumer whose cluster answered within `settings.connection.connectTimeout`.
    public static func connect(settings: KafkaConsumerSettings, logger: Logger) async throws -> KafkaConsumer {
        let consumer = try KafkaConsumer(settings: settings, logger: logger)
        let client = consumer.client
        let timeout = settings.connection.connectTimeout
        try await runBlocking { () throws -> Void in try client.checkReachable(timeout: timeout) }
        return consumer
    }

    deinit {
        poller.stop()
        fetchBatch.release()
        let phase = lifecycle.withLock { $0 }
        if phase != .closed { rd_kafka_consumer_close(client.handle) }
        if phase == .subscribed { abandonIfMidJoin() }
    }

    /// Joins the group for these topics and starts fetching. A name starting with `^` is a
    /// regular expression: topics created later that match it are picked up at the next
    /// metadata refresh (`topicRefreshInterval`).
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(KafkaTopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA))
        }
        let result = rd_kafka_subscribe(client.handle, list.pointer)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "cannot subscribe to \(topics.joined(separator: ", ")): \(KafkaError.Code(result).explanation)")
        }
        let start = lifecycle.withLock { phase -> Bool in
            guard phase == .created else { return false }
            phase = .subscribed
            return true
        }
        if start { startPolling() }
    }

    /// The records, in fetch order per partition. Ends after `close()`; throws if the
    /// client fails fatally. Several tasks may iterate at once to process in parallel.
    public var records: Records { Records(consumer: self) }

    /// Marks `record` processed: its outcome is durable, so its offset may be committed once
    /// every record before it in its partition is processed too.
    public func markProcessed(_ record: KafkaRecord) {
        state.withLock { $0.processed(record) }
    }

    /// Commits now, and waits for the broker, every offset up to which records are processed.
    /// Returns what was committed.
    @discardableResult
    public func commit() async throws -> [KafkaTopicPartition: Int64] {
        let offsets = state.withLock { $0.offsetsToCommit(scope: .all) }
        guard !offsets.isEmpty else { return [:] }
        let client = client
        do {
            try await runBlocking { () throws -> Void in try Self.commitNow(offsets, client: client) }
            state.withLock { $0.commitConfirmed(offsets) }
        } catch let error as KafkaError {
            state.withLock { $0.commitFailed(offsets.map(\.0), rebalancing: error.code == .rebalanceInProgress) }
            throw error
        }
        return Dictionary(offsets, uniquingKeysWith: { _, last in last })
    }

    /// Stops fetching `partition`; when resumed, fetching restarts at `offset`. Records of it
    /// handed out at or after `offset` are no longer tracked (they will be handed out again).
    public func pause(_ partition: KafkaTopicPartition, resumingAt offset: Int64) {
        state.withLock { $0.pause(partition, resumingAt: offset) }
    }

    /// Resumes a partition paused with `pause(_:resumingAt:)`.
    public func resume(_ partition: KafkaTopicPartition) {
        state.withLock { $0.resume(partition) }
    }

    /// The partitions currently assigned to this member.
    public var assignment: Set<KafkaTopicPartition> {
        state.withLock { $0.assignment }
    }

    /// Whether librdkafka ever called the assignment callback (possibly with no partitions).
    public var everAssigned: Bool { state.withLock { $0.everAssigned } }

    /// Whether `close()` left librdkafka's handle alive, to be reclaimed at process exit (see
    /// `close()`).
    public var handleAbandoned: Bool { client.isAbandoned }

    /// Records handed out and not yet marked processed.
    public var inFlightCount: Int { state.withLock { $0.inFlight() } }

    /// Ends the record sequence, waits up to `drainTimeout` for records in processing (unless
    /// not `draining`: the application knows none will finish), commits what is processed, and
    /// leaves the group.
    ///
    /// A member asked to leave while it joins the group first waits for its first assignment,
    /// up to `firstAssignmentWait`: librdkafka 2.0.2 aborts the process when it destroys a
    /// cooperative-sticky member between its first JoinGroup answer and its first SyncGroup
    /// answer (librdkafka issue 4381, fixed in 2.3.0). If none comes in that time, the handle is
    /// left alive until the process ends (`handleAbandoned`) rather than destroyed.
    public func close(draining: Bool = true) async {
        let before = lifecycle.withLock { phase -> Lifecycle in
            defer { phase = .closed }
            return phase
        }
        guard before != .closed else { return }
        let waiters = state.withLock { $0.finish(.closed) }
        for waiter in waiters { waiter.resume(returning: nil) }
        room.signal()
        let drainTimeout = draining ? settings.drainTimeout : .zero
        let sessionTimeout = settings.sessionTimeout
        let commitTimeout = draining ? settings.closeCommitTimeout : min(settings.closeCommitTimeout, .seconds(5))
        let firstAssignmentWait = before == .subscribed ? settings.firstAssignmentWait : .zero
        await runBlocking { [self] in
            waitForFirstAssignment(timeout: firstAssignmentWait)
            waitForDrain(among: nil, timeout: drainTimeout)
            // The poll thread goes on serving the group meanwhile, so that a rebalance in
            // progress can end and the commit be accepted (records it fetches are dropped).
            CommitBeforeLeaving(state: state, logger: logger).run(
                among: nil, handle: client.handle, deadline: ContinuousClock().now.advanced(by: commitTimeout),
                waitForRebalanceEnd: true, rebalanceWait: sessionTimeout + .seconds(1), reason: "before leaving the group")
            poller.stop()
            fetchBatch.release()
            // Leaving revokes what is still assigned; the rebalancer commits anything processed
            // since (nothing, normally).
            rd_kafka_consumer_close(client.handle)
            if before == .subscribed { abandonIfMidJoin() }
        }
    }

    /// Blocking: until the assignment callback came once, or `timeout`.
    private func waitForFirstAssignment(timeout: Duration) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !everAssigned, clock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// A member that never had an assignment may be between its first JoinGroup and SyncGroup
    /// answers, where destroying it aborts the process (see `close()`): its handle is kept.
    private func abandonIfMidJoin() {
        guard !everAssigned else { return }
        client.abandon()
        logger.warning(
            "Left the group before its first assignment; librdkafka's handle is kept until the process ends (destroying it now may abort: librdkafka issue 4381)")
    }

    // MARK: Poll thread

    private func startPolling() {
        let client = client
        let state = state
        let logger = logger
        let interval = settings.commitInterval
        // A rebalance lasts at most about a session timeout to join and one to sync.
        let rebalanceLimit = settings.sessionTimeout * 2 + .seconds(5)
        let clock = ContinuousClock()
        let nextCommit = Mutex(clock.now.advanced(by: interval))
        let topicNames = TopicNameCache()
        let room = room
        let fetchBatch = fetchBatch
        poller.start {
            // 1. Bring librdkafka's pause state and positions in line; commit periodically.
            let now = clock.now
            let commitDue = nextCommit.withLock { due -> Bool in
                guard now >= due else { return false }
                due = now.advanced(by: interval)
                return true
            }
            let (control, offsets, space, expired) = state.withLock { machine in
                let expired = machine.expireRebalance(at: now, after: rebalanceLimit)
                return (machine.control(), commitDue ? machine.offsetsToCommit() : [], machine.room, expired)
            }
            if expired {
                logger.warning("No rebalance callback for \(rebalanceLimit) since the group started rebalancing; background commits resume")
            }
            Self.apply(control, client: client, logger: logger)
            if !offsets.isEmpty {
                let list = RDKafkaTopicPartitionList(offsets: offsets)
                rd_kafka_commit(client.handle, list.pointer, 1)
            }
            // 2. A full buffer: wait for the application to make room (commits go on meanwhile).
            if space == 0 {
                _ = room.wait(timeout: .now() + .milliseconds(20))
                return
            }
            // 3. Fetch up to the room left, serving rebalances and commit results on the way.
            var records: [KafkaRecord] = []
            fetchBatch.fetch(upTo: space, timeout: 50) { message in
                if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    Self.consumerError(message, client: client, state: state, logger: logger)
                } else {
                    records.append(KafkaRecord(
                        copying: message, topic: topicNames.name(of: message.pointee.rkt), generation: 0))
                }
            }
            guard !records.isEmpty else { return }
            for (waiter, record) in state.withLock({ $0.received(records) }) {
                waiter.resume(returning: record)
            }
        }
    }

    private static func apply(_ control: StateMachine.Control, client: RDKafkaClient, logger: Logger) {
        guard !control.isEmpty else { return }
        if !control.pause.isEmpty {
            let list = RDKafkaTopicPartitionList(control.pause)
            rd_kafka_pause_partitions(client.handle, list.pointer)
        }
        if !control.seek.isEmpty {
            let list = RDKafkaTopicPartitionList(offsets: control.seek)
            if let error = rd_kafka_seek_partitions(client.handle, list.pointer, 0) {
                logger.warning(
                    "Seek failed", metadata: [LogKey.error: "\(String(cString: rd_kafka_error_string(error)))"])
                rd_kafka_error_destroy(error)
            }
        }
        if !control.resume.isEmpty {
            let list = RDKafkaTopicPartitionList(control.resume)
            rd_kafka_resume_partitions(client.handle, list.pointer)
        }
    }

    private static func consumerError(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, client: RDKafkaClient,
        state: LockedValue<StateMachine>, logger: Logger
    ) {
        let code = KafkaError.Code(message.pointee.err)
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? code.explanation
        if code == .fatal, let fatal = client.fatalError() {
            logger.error("Consumer failed fatally", metadata: [LogKey.error: "\(fatal)"])
            let waiters = state.withLock { $0.finish(StateMachine.Finish.failed(fatal)) }
            for waiter in waiters { waiter.resume(throwing: fatal) }
            return
        }
        logger.warning(
            "Consumer error", metadata: [LogKey.errorCode: "\(code.name)", LogKey.error: "\(text)"])
    }

    // MARK: Commits

    /// A synchronous commit. Blocking.
    static func commitNow(_ offsets: [(KafkaTopicPartition, Int64)], client: RDKafkaClient) throws(KafkaError) {
        try commitNow(offsets, handle: client.handle)
    }

    private static func commitCompleted(
        result: rd_kafka_resp_err_t, offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        state: LockedValue<StateMachine>, logger: Logger
    ) {
        let entries = offsets.map { RDKafkaTopicPartitionList.entries(of: $0) } ?? []
        let failed = entries.filter { result != RD_KAFKA_RESP_ERR_NO_ERROR || $0.error != .noError }
        if result == RD_KAFKA_RESP_ERR_NO_ERROR {
            let done = entries.filter { $0.error == .noError }.map { ($0.partition, $0.offset) }
            if !done.isEmpty { state.withLock { $0.commitConfirmed(done) } }
        }
        guard !failed.isEmpty, result != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        let rebalancing = KafkaError.Code(result) == .rebalanceInProgress
            || failed.contains { $0.error == .rebalanceInProgress }
        state.withLock { $0.commitFailed(failed.map(\.partition), rebalancing: rebalancing) }
        logger.log(
            level: rebalancing ? .info : .warning,
            rebalancing ? "Background commit refused while the group rebalances; retried once it has ended"
                : "Background commit failed; retried at the next interval",
            metadata: [
                LogKey.errorCode: "\(KafkaError.Code(result).name)",
                LogKey.partitions: "\(failed.map { "\($0.partition)@\($0.offset)" })",
            ])
    }

    /// Waits until no record of `keys` (or of any partition) is in processing, or `timeout`.
    func waitForDrain(among keys: Set<KafkaTopicPartition>?, timeout: Duration) {
        Self.drain(state: state, among: keys, timeout: timeout)
    }

    static func drain(state: LockedValue<StateMachine>, among keys: Set<KafkaTopicPartition>?, timeout: Duration) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while state.withLock({ $0.inFlight(among: keys) }) > 0, clock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    // MARK: The record sequence

    /// Waits for the next record: at once from the buffer, else until the poll thread fetches one.
    func nextRecord() async throws -> KafkaRecord? {
        let (action, wake) = state.withLock { machine in (machine.next(), machine.takeFetchWakeup()) }
        if wake { room.signal() }
        switch action {
        case .deliver(let record): return record
        case .finished(let error):
            if let error { throw error }
            return nil
        case .wait: break
        }
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let action = state.withLock { machine -> StateMachine.NextAction in
                    if Task.isCancelled { return .finished(nil) }
                    return machine.suspend(id: id, continuation)
                }
                switch action {
                case .deliver(let record): continuation.resume(returning: record)
                case .finished(let error):
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
                case .wait: break
                }
            }
        } onCancel: {
            state.withLock { $0.cancel(id: id) }?.resume(returning: nil)
        }
    }

    /// The records of a `KafkaConsumer`, as an `AsyncSequence`. Ends after `close()`; a
    /// cancelled iteration ends too.
    public struct Records: AsyncSequence, Sendable {
        public typealias Element = KafkaRecord
        let consumer: KafkaConsumer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer

            public mutating func next() async throws -> KafkaRecord? {
                try await consumer.nextRecord()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(consumer: consumer)
        }
    }
}

/// Topic names by librdkafka topic handle, so that each record does not build its topic's
/// name anew. Used by the poll thread only, hence `@unchecked Sendable`.
private final class TopicNameCache: @unchecked Sendable {
    private var names: [OpaquePointer: String] = [:]

    func name(of topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if let name = names[topic] { return name }
        let name = String(cString: rd_kafka_topic_name(topic))
        names[topic] = name
        return name
    }
}

/// The consumer queue and an array for `rd_kafka_consume_batch_queue`, used by the poll
/// thread only (hence `@unchecked Sendable`). Released before the client is closed.
private final class FetchBatch: @unchecked Sendable {
    private var queue: OpaquePointer?
    private let messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private let capacity: Int

    init(client: RDKafkaClient, capacity: Int) {
        self.queue = rd_kafka_queue_get_consumer(client.handle)
        self.capacity = capacity
        self.messages = .allocate(capacity: capacity)
    }

    deinit {
        release()
        messages.deallocate()
    }

    /// Waits up to `timeout` ms for messages (serving callbacks meanwhile) and passes each to
    /// `body`, then destroys it.
    ///
    /// The wait is for the first message only: `rd_kafka_consume_batch_queue` would wait for a
    /// full batch or the timeout, adding up to the timeout to every record's latency below full
    /// load. The rest of the batch is whatever is already fetched.
    func fetch(upTo limit: Int, timeout: Int32, _ body: (UnsafeMutablePointer<rd_kafka_message_t>) -> Void) {
        guard let queue, let first = rd_kafka_consume_queue(queue, timeout) else { return }
        body(first)
        rd_kafka_message_destroy(first)
        let more = min(limit, capacity) - 1
        guard more > 0 else { return }
        let count = rd_kafka_consume_batch_queue(queue, 0, messages, more)
        guard count > 0 else { return }
        for index in 0..<count {
            guard let message = messages[index] else { continue }
            body(message)
            rd_kafka_message_destroy(message)
        }
    }

    /// Drops the queue reference (idempotent); called after the poll thread stopped.
    func release() {
        if let queue { rd_kafka_queue_destroy(queue) }
        queue = nil
    }
}
