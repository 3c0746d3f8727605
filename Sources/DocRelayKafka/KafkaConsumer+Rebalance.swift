internal import CRdKafka
import Logging
import Synchronization

extension KafkaConsumer {
    /// Handles librdkafka's rebalance callback on the poll thread: records assignments, and before
    /// partitions go, waits for their records in processing and commits what is processed.
    struct Rebalancer: Sendable {
        let state: LockedValue<StateMachine>
        let logger: Logger
        let drainTimeout: Duration

        func handle(
            client: OpaquePointer, event: rd_kafka_resp_err_t,
            partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
        ) {
            let keys = RDKafkaTopicPartitionList.entries(of: partitions).map(\.partition)
            let cooperative = rd_kafka_rebalance_protocol(client).map { String(cString: $0) } == "COOPERATIVE"
            switch event {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                state.withLock { $0.assigned(keys) }
                logger.info("Partitions assigned", metadata: [LogKey.partitions: "\(keys.sorted())"])
                if cooperative {
                    release(rd_kafka_incremental_assign(client, partitions))
                } else {
                    _ = rd_kafka_assign(client, partitions)
                }
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                revoke(Set(keys), client: client, lost: rd_kafka_assignment_lost(client) != 0)
                if cooperative {
                    release(rd_kafka_incremental_unassign(client, partitions))
                } else {
                    _ = rd_kafka_assign(client, nil)
                }
            default:
                logger.warning(
                    "Rebalance failed; dropping the assignment",
                    metadata: [LogKey.errorCode: "\(KafkaError.Code(event).name)"])
                revoke(Set(keys), client: client, lost: true)
                _ = rd_kafka_assign(client, nil)
            }
        }

        private func revoke(_ keys: Set<KafkaTopicPartition>, client: OpaquePointer, lost: Bool) {
            state.withLock { $0.revoking(keys) }
            if !lost {
                KafkaConsumer.drain(state: state, among: keys, timeout: drainTimeout)
                let offsets = state.withLock { $0.offsetsToCommit(among: keys) }
                if !offsets.isEmpty {
                    let list = RDKafkaTopicPartitionList(offsets: offsets)
                    let result = rd_kafka_commit(client, list.pointer, 0)
                    if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                        logger.warning(
                            "Commit before revocation failed; the next owner consumes those records again",
                            metadata: [LogKey.errorCode: "\(KafkaError.Code(result).name)"])
                    }
                }
            }
            state.withLock { $0.revoked(keys) }
            logger.info(
                lost ? "Partitions lost" : "Partitions revoked",
                metadata: [LogKey.partitions: "\(keys.sorted())"])
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
