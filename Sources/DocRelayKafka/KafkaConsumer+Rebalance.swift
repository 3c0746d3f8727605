internal import CRdKafka
import Foundation
import Logging
import Synchronization

extension KafkaConsumer {
    /// Handles librdkafka's rebalance callback on the poll thread: records assignments, and before
    /// partitions go, waits for their records in processing and commits what is processed.
    struct Rebalancer: Sendable {
        let state: LockedValue<StateMachine>
        let logger: Logger
        let drainTimeout: Duration
        /// How long a commit before revocation is tried again while refused: the callback holds
        /// the rebalance, so it must stay well under the session timeout.
        let revokeCommitTimeout: Duration
        /// See `KafkaConsumerSettings.handOverGrace`.
        let handOverGrace: Duration

        func handle(
            client: OpaquePointer, event: rd_kafka_resp_err_t,
            partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
        ) {
            let keys = RDKafkaTopicPartitionList.entries(of: partitions).map(\.partition)
            let cooperative = rd_kafka_rebalance_protocol(client).map { String(cString: $0) } == "COOPERATIVE"
            switch event {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                let endsRebalance = state.withLock { $0.assigned(keys) }
                if endsRebalance { settleOwed(client: client) }
                if endsRebalance, !keys.isEmpty, handOverGrace > .zero {
                    Thread.sleep(forTimeInterval: Double(handOverGrace.milliseconds) / 1000)
                }
                logger.info("Partitions assigned", metadata: [LogKey.partitions: "\(keys.sorted())"])
                if cooperative {
                    release(rd_kafka_incremental_assign(client, partitions))
                } else {
                    _ = rd_kafka_assign(client, partitions)
                }
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                revoke(Set(keys), client: client, lost: rd_kafka_assignment_lost(client) != 0, cooperative: cooperative)
                if cooperative {
                    release(rd_kafka_incremental_unassign(client, partitions))
                } else {
                    _ = rd_kafka_assign(client, nil)
                }
            default:
                logger.warning(
                    "Rebalance failed; dropping the assignment",
                    metadata: [LogKey.errorCode: "\(KafkaError.Code(event).name)"])
                revoke(Set(keys), client: client, lost: true, cooperative: cooperative)
                _ = rd_kafka_assign(client, nil)
            }
        }

        /// Partitions leave: their buffered records are dropped, then (unless lost) their records
        /// in processing are waited for and what is processed is committed, even if a background
        /// commit of the same offsets is still in flight (it may yet fail). A lost assignment
        /// cannot be committed now (the member's generation is gone): its processed offsets are
        /// owed, committed at the end of the rebalance (`settleOwed`).
        private func revoke(_ keys: Set<KafkaTopicPartition>, client: OpaquePointer, lost: Bool, cooperative: Bool) {
            state.withLock { $0.revoking(keys) }
            if lost {
                // The generation is gone (e.g. a commit answered ILLEGAL_GENERATION after this
                // member's JoinGroup): what was processed is owed, and committed as soon as the
                // rebalance ends, under the new generation, before the next owner starts.
                let owed = state.withLock { machine in
                    let owed = machine.unconfirmedOffsets(among: keys)
                    machine.owe(owed)
                    return owed
                }
                if !owed.isEmpty {
                    logger.info(
                        "Partitions lost before their processed offsets were committed; committed when the rebalance ends",
                        metadata: [LogKey.partitions: "\(owed.map { "\($0.0)@\($0.1)" })"])
                }
            } else {
                KafkaConsumer.drain(state: state, among: keys, timeout: drainTimeout)
                let left = KafkaConsumer.CommitBeforeLeaving(state: state, logger: logger).run(
                    among: keys, handle: client, deadline: ContinuousClock().now.advanced(by: revokeCommitTimeout),
                    waitForRebalanceEnd: false, reason: "before revocation", quietOnRefusal: true)
                if left > 0 {
                    // The next rebalance has begun (another member rejoined): commit once it ends.
                    state.withLock { $0.owe($0.unconfirmedOffsets(among: keys)) }
                    logger.info(
                        "Commit before revocation refused while the group rebalances; committed when the rebalance ends",
                        metadata: [LogKey.partitions: "\(keys.sorted())"])
                }
            }
            state.withLock { $0.revoked(keys, cooperative: cooperative, lost: lost) }
            logger.info(
                lost ? "Partitions lost" : "Partitions revoked",
                metadata: [LogKey.partitions: "\(keys.sorted())"])
        }

        /// Commits what a refused commit before revocation still owes, now that the rebalance
        /// ended (this member's generation is current; the next owner waits `handOverGrace`).
        private func settleOwed(client: OpaquePointer) {
            let owed = state.withLock { $0.takeOwed() }
            guard !owed.isEmpty else { return }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(1))
            while true {
                do {
                    try KafkaConsumer.commitNow(owed, handle: client)
                    logger.info(
                        "Commit owed since a revocation landed at the end of the rebalance",
                        metadata: [LogKey.partitions: "\(owed.map { "\($0.0)@\($0.1)" })"])
                    return
                } catch {
                    let passing = error.code == .rebalanceInProgress || error.code.isRetriable
                    if passing, clock.now < deadline {
                        Thread.sleep(forTimeInterval: 0.1)
                        continue
                    }
                    if passing {
                        // Another rebalance began (e.g. a member's late SyncGroup restarted it):
                        // their next owner does not start them before it ends either.
                        state.withLock { $0.owe(owed) }
                        logger.info(
                            "Commit owed since a revocation refused again; committed when the next rebalance ends",
                            metadata: [LogKey.errorCode: "\(error.code.name)"])
                    } else {
                        logger.warning(
                            "Commit owed since a revocation failed; their owner consumes those records again",
                            metadata: [LogKey.errorCode: "\(error.code.name)", LogKey.error: "\(error)"])
                    }
                    return
                }
            }
        }

        private func release(_ error: OpaquePointer?) {
            guard let error else { return }
            logger.warning(
                "Incremental rebalance step failed",
                metadata: [LogKey.error: "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
        }
    }
}
