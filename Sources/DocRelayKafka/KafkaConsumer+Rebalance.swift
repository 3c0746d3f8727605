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
        /// `auto.offset.reset` as a ListOffsets timestamp: -2 earliest, -1 latest.
        let startTimestamp: Int64

        func handle(
            client: OpaquePointer, event: rd_kafka_resp_err_t,
            partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
        ) {
            let keys = RDKafkaTopicPartitionList.entries(of: partitions).map(\.partition)
            let cooperative = rd_kafka_rebalance_protocol(client).map { String(cString: $0) } == "COOPERATIVE"
            switch event {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                let (endsRebalance, held) = state.withLock { ($0.assigned(keys), $0.takeHeld(among: keys)) }
                if endsRebalance { settleOwed(client: client) }
                if endsRebalance, !keys.isEmpty, handOverGrace > .zero {
                    Thread.sleep(forTimeInterval: Double(handOverGrace.milliseconds) / 1000)
                }
                logger.info("Partitions assigned", metadata: [LogKey.partitions: "\(Self.describe(keys))"])
                if keys.count >= Self.explicitStartFrom { setStartOffsets(client: client, partitions: partitions) }
                if !held.isEmpty { resumeHeld(held, client: client, partitions: partitions) }
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
                metadata: [LogKey.partitions: "\(Self.describe(keys))"])
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

        /// Partitions given back while this member holds work of their earlier assignment start
        /// after what it processed, not at the group's older commit (`KafkaConsumer.Resumption`):
        /// the group's commits looked up in one request, each decided, the start set in
        /// `partitions` (the list librdkafka is about to assign).
        private func resumeHeld(
            _ held: [KafkaTopicPartition: (owed: Int64?, lost: StateMachine.Partition?)], client: OpaquePointer,
            partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
        ) {
            let lookup = RDKafkaTopicPartitionList(Array(held.keys))
            var committed: [KafkaTopicPartition: Int64] = [:]
            let error = rd_kafka_committed(client, lookup.pointer, 5_000)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                for entry in lookup.entries where entry.error == .noError && entry.offset >= 0 {
                    committed[entry.partition] = entry.offset
                }
            } else {
                // Unknown: this member's own progress decides (nothing below it is unprocessed).
                logger.info("The group's commits could not be read for partitions given back", metadata: [LogKey.errorCode: "\(KafkaError.Code(error).name)"])
            }
            var starts: [KafkaTopicPartition: Int64] = [:]
            for (key, work) in held {
                let resumption = Resumption.decide(owed: work.owed, lost: work.lost, committed: committed[key])
                state.withLock { $0.resume(key, resumption, lost: work.lost) }
                switch resumption {
                case .carryOver(let start), .startAt(let start): starts[key] = start
                case .groupCommit: break
                }
            }
            guard !starts.isEmpty, let elements = partitions.pointee.elems else { return }
            for index in 0..<Int(partitions.pointee.cnt) {
                let key = KafkaTopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
                if let start = starts[key] { elements[index].offset = start }
            }
            logger.info(
                "Partitions given back resume after what this member processed, not at the group's older commit",
                metadata: [
                    LogKey.partitions: "\(starts.keys.sorted().prefix(50).map { "\($0)@\(starts[$0] ?? 0)" })",
                    "docrelay.kafka.partition-count": "\(starts.count)",
                ])
        }

        /// From this many partitions assigned at once, they start at offsets looked up in two
        /// batched requests (`setStartOffsets`).
        static let explicitStartFrom = 500

        /// Sets the offset each of a large assignment starts at: its group's commit (one
        /// OffsetFetch for all, `rd_kafka_committed`), else the earliest or latest offset as
        /// `auto.offset.reset` says (one ListOffsets per broker, `rd_kafka_offsets_for_times`).
        ///
        /// Why (issue 16): librdkafka 2.0.2 looks up the start of each partition without a
        /// commit with a ListOffsets request of its own; a relay's first start at 10,000
        /// agencies made 10,000 of them, and its first document came ~20 s after the
        /// assignment. A partition either lookup cannot answer keeps librdkafka's own lookup,
        /// as does every small assignment (the path every other test exercises).
        private func setStartOffsets(client: OpaquePointer, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
            let clock = ContinuousClock()
            let start = clock.now
            let committed = RDKafkaTopicPartitionList(RDKafkaTopicPartitionList.entries(of: partitions).map(\.partition))
            let error = rd_kafka_committed(client, committed.pointer, 10_000)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                logger.notice("Start offsets left to librdkafka: the commits could not be read", metadata: [LogKey.errorCode: "\(KafkaError.Code(error).name)"])
                return
            }
            var offsets: [KafkaTopicPartition: Int64] = [:]
            let reset = RDKafkaTopicPartitionList(capacity: Int(partitions.pointee.cnt))
            for entry in committed.entries where entry.error == .noError {
                if entry.offset >= 0 { offsets[entry.partition] = entry.offset } else { reset.add(entry.partition, offset: startTimestamp) }
            }
            if !reset.isEmpty {
                let error = rd_kafka_offsets_for_times(client, reset.pointer, 10_000)
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    for entry in reset.entries where entry.error == .noError && entry.offset >= 0 { offsets[entry.partition] = entry.offset }
                } else {
                    logger.notice("Start offsets of partitions without a commit left to librdkafka", metadata: [LogKey.errorCode: "\(KafkaError.Code(error).name)"])
                }
            }
            guard let elements = partitions.pointee.elems else { return }
            var set = 0
            for index in 0..<Int(partitions.pointee.cnt) {
                let key = KafkaTopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
                if let offset = offsets[key] {
                    elements[index].offset = offset
                    set += 1
                }
            }
            logger.info(
                "Start offsets of a large assignment looked up in two requests",
                metadata: [LogKey.partitions: "\(set) of \(partitions.pointee.cnt)", "docrelay.kafka.elapsed": "\(clock.now - start)"])
        }

        /// Partitions for a log line: all of them up to 50, else the first 50 and how many more
        /// (a hub of 10,000 agencies is assigned 10,000 at once: one line of 400 KB).
        static func describe(_ keys: some Collection<KafkaTopicPartition>) -> String {
            let sorted = keys.sorted()
            guard sorted.count > 50 else { return "\(sorted)" }
            return "\(Array(sorted.prefix(50))) and \(sorted.count - 50) more"
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
