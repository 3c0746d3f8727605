import DocRelayKafka
import Foundation
import ServiceLifecycle
import Synchronization

/// Runs the retry consumer's records through `RetryLanes`: one dispatcher reads the consumer,
/// pauses a partition whose next record is not due (resuming it at its `dr-not-before`) and
/// queues due records in their partition's lane; `workers` tasks handle lanes, each record of a
/// partition after the one before it, up to `workers` partitions at once. A full lane makes the
/// dispatcher wait (memory stays at most `laneCapacity` records per assigned partition, on top
/// of the consumer's own buffer).
///
/// Graceful shutdown: records in processing finish; queued ones are abandoned and their
/// partitions paused at the first of them, so the consumer commits only processed records and
/// the next owner fetches the rest again. Cancellation does the same, without waiting.
final class RetryLaneRunner: Sendable {
    private let consumer: KafkaConsumer
    private let state: Mutex<State>

    private typealias Worker = CheckedContinuation<KafkaRecord?, Never>
    /// Resumed with `true` once the record is settled (queued or abandoned), `false` to offer again.
    private typealias Dispatcher = CheckedContinuation<Bool, Never>

    private struct State {
        var lanes: RetryLanes
        var idleWorkers: [Worker] = []
        var waitingDispatcher: Dispatcher?

        /// Hands ready records to idle workers.
        mutating func feedIdle(_ effects: inout Effects) {
            while !idleWorkers.isEmpty, case .work(let record, let madeRoom) = lanes.take() {
                effects.workers.append((idleWorkers.removeFirst(), record))
                if madeRoom { wakeDispatcher(&effects) }
            }
        }

        mutating func wakeDispatcher(_ effects: inout Effects) {
            effects.dispatcher = waitingDispatcher
            waitingDispatcher = nil
        }
    }

    /// What to do once the lock is released.
    private struct Effects {
        var workers: [(Worker, KafkaRecord?)] = []
        var dispatcher: Dispatcher?
        var pause: [KafkaTopicPartition: Int64] = [:]

        func perform(_ consumer: KafkaConsumer) {
            for (partition, offset) in pause { consumer.pause(partition, resumingAt: offset) }
            for (worker, record) in workers { worker.resume(returning: record) }
            dispatcher?.resume(returning: false)
        }
    }

    /// `laneCapacity`: due records queued per partition before the dispatcher waits.
    init(consumer: KafkaConsumer, laneCapacity: Int = 16) {
        self.consumer = consumer
        self.state = Mutex(State(lanes: RetryLanes(laneCapacity: laneCapacity)))
    }

    /// Dispatches and handles until the records end (consumer closed, graceful shutdown or
    /// cancellation). `handle` gets each due record and the time it starts; it throwing ends
    /// the run with that error.
    func run(workers: Int, handle: @escaping @Sendable (KafkaRecord, Date) async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<max(workers, 1) {
                group.addTask { try await self.work(handle) }
            }
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await withTaskCancellationHandler {
                        try await self.dispatch()
                    } onCancel: {
                        self.close()
                    }
                } onGracefulShutdown: {
                    self.close()
                }
                self.close()
            }
        }
    }

    // MARK: Dispatcher

    private func dispatch() async throws {
        try await withThrowingDiscardingTaskGroup { wakers in
            for try await record in consumer.records.cancelOnGracefulShutdown() {
                switch RetryLanes.admit(record, now: Date()) {
                case .pause(let partition, let offset, let wait):
                    consumer.pause(partition, resumingAt: offset)
                    wakers.addTask { [consumer] in
                        try? await Task.sleep(for: wait)
                        consumer.resume(partition)
                    }
                case .handle:
                    await offer(record)
                }
            }
            wakers.cancelAll()
        }
    }

    /// Queues `record`, waiting while its lane is full; abandons it once closed.
    private func offer(_ record: KafkaRecord) async {
        while true {
            let settled = await withCheckedContinuation { (dispatcher: Dispatcher) in
                var effects = Effects()
                let settled = state.withLock { state -> Bool in
                    switch state.lanes.offer(record) {
                    case .full:
                        state.waitingDispatcher = dispatcher
                        return false
                    case .queued:
                        state.feedIdle(&effects)
                        return true
                    case .abandoned(let resumeAt):
                        if let resumeAt { effects.pause[record.topicPartition] = resumeAt }
                        return true
                    }
                }
                effects.perform(consumer)
                if settled { dispatcher.resume(returning: true) }
            }
            if settled { return }
        }
    }

    // MARK: Workers

    private func work(_ handle: @Sendable (KafkaRecord, Date) async throws -> Void) async throws {
        while let record = await next() {
            try await handle(record, Date())
            consumer.markProcessed(record)
            finished(record.topicPartition)
        }
    }

    /// The next record to handle, waiting for one; nil once closed.
    private func next() async -> KafkaRecord? {
        await withCheckedContinuation { (worker: Worker) in
            var effects = Effects()
            let taken = state.withLock { state -> KafkaRecord?? in
                switch state.lanes.take() {
                case .work(let record, let madeRoom):
                    if madeRoom { state.wakeDispatcher(&effects) }
                    return .some(record)
                case .stop:
                    return .some(nil)
                case .wait:
                    state.idleWorkers.append(worker)
                    return .none
                }
            }
            effects.perform(consumer)
            if let taken { worker.resume(returning: taken) }
        }
    }

    /// A record of `partition` is processed: the lane's next record, if any, becomes ready.
    private func finished(_ partition: KafkaTopicPartition) {
        var effects = Effects()
        state.withLock { state in
            if state.lanes.finished(partition) { state.feedIdle(&effects) }
        }
        effects.perform(consumer)
    }

    // MARK: Shutdown

    /// Stops the lanes: idle workers and a waiting dispatcher are released, queued records
    /// abandoned and their partitions paused at the first of them.
    private func close() {
        var effects = Effects()
        state.withLock { state in
            effects.pause = state.lanes.close()
            effects.workers = state.idleWorkers.map { ($0, nil) }
            state.idleWorkers = []
            state.wakeDispatcher(&effects)
        }
        effects.perform(consumer)
    }
}
