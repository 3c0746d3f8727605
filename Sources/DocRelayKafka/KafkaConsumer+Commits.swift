internal import CRdKafka
import Foundation
import Logging

extension KafkaConsumer {
    /// Commits that must land before partitions leave this member: before a revocation and
    /// before `close()` leaves the group. Blocking; runs on the poll thread or behind
    /// `runBlocking`, never on the cooperative pool.
    ///
    /// A broker refuses commits while its group rebalances (`REBALANCE_IN_PROGRESS`): the
    /// commit is tried again until `deadline`; with `waitForRebalanceEnd`, once the rebalance
    /// ended (the next assignment callback) or `rebalanceWait` later, so that it seldom carries a
    /// generation the group is leaving (`ILLEGAL_GENERATION` makes librdkafka drop the whole
    /// assignment as lost), else every 100 ms. Returns the number of processed records left
    /// uncommitted (0 on success).
    struct CommitBeforeLeaving: Sendable {
        let state: LockedValue<StateMachine>
        let logger: Logger

        @discardableResult
        func run(
            among keys: Set<KafkaTopicPartition>?, handle: OpaquePointer, deadline: ContinuousClock.Instant,
            waitForRebalanceEnd: Bool, rebalanceWait: Duration = .seconds(1), reason: String, quietOnRefusal: Bool = false
        ) -> Int64 {
            let clock = ContinuousClock()
            var attempts = 0
            if waitForRebalanceEnd { waitWhileRebalancing(until: deadline) }
            while true {
                // Leaving (all partitions): what earlier revocations still owe goes too.
                let offsets = state.withLock { machine in
                    machine.offsetsToCommit(among: keys, scope: .unconfirmed) + (keys == nil ? machine.takeOwed() : [])
                }
                guard !offsets.isEmpty else { return 0 }
                attempts += 1
                let failure: KafkaError
                do {
                    try KafkaConsumer.commitNow(offsets, handle: handle)
                    state.withLock { $0.commitConfirmed(offsets) }
                    if attempts > 1 {
                        logger.info(
                            "Commit \(reason) succeeded after \(attempts) attempts",
                            metadata: [LogKey.partitions: "\(offsets.map { "\($0.0)@\($0.1)" })"])
                    }
                    return 0
                } catch {
                    failure = error
                }
                let rebalancing = failure.code == .rebalanceInProgress
                state.withLock { $0.commitFailed(offsets.map(\.0), rebalancing: rebalancing) }
                let retriable = rebalancing || failure.code.isRetriable
                if !retriable || clock.now >= deadline {
                    let left = state.withLock { $0.processedUncommitted(among: Set(offsets.map(\.0))) }
                    if quietOnRefusal && rebalancing { return max(left, 1) }
                    logger.warning(
                        "Commit \(reason) failed; the next owner consumes \(left) processed record(s) again",
                        metadata: [LogKey.errorCode: "\(failure.code.name)", LogKey.error: "\(failure)"])
                    return left
                }
                if rebalancing && waitForRebalanceEnd {
                    // Until the rebalance ends (its assignment callback), or `rebalanceWait` (a
                    // broker may refuse without a rebalance this member takes part in; a real one
                    // ends within a session timeout). A commit sent sooner could wait behind this
                    // member's JoinGroup and be answered ILLEGAL_GENERATION.
                    waitWhileRebalancing(until: min(clock.now.advanced(by: rebalanceWait), deadline))
                } else {
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
        }

        private func waitWhileRebalancing(until deadline: ContinuousClock.Instant) {
            let clock = ContinuousClock()
            while state.withLock({ $0.groupRebalancing }), clock.now < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// A synchronous commit. Blocking.
    static func commitNow(_ offsets: [(KafkaTopicPartition, Int64)], handle: OpaquePointer) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let result = rd_kafka_commit(handle, list.pointer, 0)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "commit of \(offsets.map { "\($0.0)@\($0.1)" }.joined(separator: ", ")) failed: \(KafkaError.Code(result).explanation)")
        }
        if let failed = list.entries.first(where: { $0.error != .noError }) {
            throw KafkaError(
                code: failed.error,
                message: "commit of \(failed.partition)@\(failed.offset) failed: \(failed.error.explanation)")
        }
    }
}
