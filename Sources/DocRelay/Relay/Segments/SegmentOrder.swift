import DocRelayKafka
import Synchronization

/// Keeps the segments of each document in the order the consumer handed them out, while the
/// relay's workers process records in parallel (contract, "Large documents": segments are read
/// in order).
///
/// Every record a worker takes `arrive`s at once (no suspension between `next()` and it). A
/// segment's turn comes when every record handed out before it has arrived (the consumer's
/// `handOutSequence` is dense, so the gate knows none is still on its way) and no earlier
/// segment of its document is still in processing; `finish` ends its turn. So a segment missing
/// from the partition is known at once (its successor's turn comes with no predecessor), never
/// by waiting for a timeout.
final class SegmentOrder: Sendable {
    private struct State {
        /// Every sequence below this has arrived.
        var arrivedBelow: UInt64 = 0
        /// Sequences arrived above `arrivedBelow`.
        var early: Set<UInt64> = []
        /// Per document, the sequences of its segments arrived and not finished, in order.
        var queues: [SegmentKey: [UInt64]] = [:]
        var waiting: [UInt64: (key: SegmentKey, continuation: CheckedContinuation<Void, any Error>)] = [:]

        func isTurn(_ sequence: UInt64, of key: SegmentKey) -> Bool {
            arrivedBelow >= sequence && queues[key]?.first == sequence
        }

        /// The waiting segments whose turn it is now, removed from `waiting`.
        mutating func ready() -> [CheckedContinuation<Void, any Error>] {
            let due = waiting.filter { isTurn($0.key, of: $0.value.key) }
            for sequence in due.keys { waiting[sequence] = nil }
            return due.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())

    /// `record` was taken by a worker (call at once, for every record).
    func arrive(_ record: KafkaRecord) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            if let key = SegmentKey(record) {
                state.queues[key, default: []].append(record.handOutSequence)
                state.queues[key]?.sort()  // arrivals of one document may cross: keep hand-out order
            }
            if record.handOutSequence == state.arrivedBelow {
                state.arrivedBelow += 1
                while state.early.remove(state.arrivedBelow) != nil { state.arrivedBelow += 1 }
            } else if record.handOutSequence > state.arrivedBelow {
                state.early.insert(record.handOutSequence)
            }
            return state.ready()
        }
        for continuation in ready { continuation.resume() }
    }

    /// Waits for the segment `record`'s turn; throws `CancellationError` if cancelled first.
    func turn(of record: KafkaRecord, key: SegmentKey) async throws {
        let sequence = record.handOutSequence
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> Bool in
                    if state.isTurn(sequence, of: key) { return true }
                    state.waiting[sequence] = (key, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { $0.waiting.removeValue(forKey: sequence)?.continuation }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// The segment `record`'s turn is over (processed, or given up): the next may go.
    func finish(_ record: KafkaRecord, key: SegmentKey) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.queues[key]?.removeAll { $0 == record.handOutSequence }
            if state.queues[key]?.isEmpty == true { state.queues[key] = nil }
            return state.ready()
        }
        for continuation in ready { continuation.resume() }
    }

}
