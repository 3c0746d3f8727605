internal import CRdKafka
import Logging
import Synchronization

/// The callbacks of one librdkafka client. librdkafka gets it as the configuration opaque and
/// calls back from its own threads (logs, errors) or from the thread serving its queue
/// (deliveries, rebalances, commits). Handlers are fixed at creation.
final class RDKafkaEvents: Sendable {
    typealias DeliveryHandler = @Sendable (UnsafePointer<rd_kafka_message_t>) -> Void
    typealias RebalanceHandler = @Sendable (
        _ client: OpaquePointer, _ event: rd_kafka_resp_err_t,
        _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) -> Void
    typealias CommitHandler = @Sendable (
        _ result: rd_kafka_resp_err_t, _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) -> Void

    let logger: Logger
    let onDelivery: DeliveryHandler?
    let onRebalance: RebalanceHandler?
    let onCommit: CommitHandler?

    /// The last error librdkafka reported (e.g. "Connect to ipv4#127.0.0.1:1 failed"), used
    /// to explain why a cluster is unreachable.
    private let lastErrorText = Mutex<String?>(nil)

    init(
        logger: Logger, onDelivery: DeliveryHandler? = nil, onRebalance: RebalanceHandler? = nil,
        onCommit: CommitHandler? = nil
    ) {
        self.logger = logger
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
        self.onCommit = onCommit
    }

    var lastError: String? { lastErrorText.withLock { $0 } }

    func recordError(_ code: rd_kafka_resp_err_t, _ reason: String) {
        lastErrorText.withLock { $0 = reason }
        // librdkafka logs the same condition (as a warning); this keeps it for diagnosis.
        logger.info(
            "librdkafka reported an error",
            metadata: [
                LogKey.errorCode: "\(KafkaError.Code(code).name)",
                LogKey.error: "\(reason)",
            ])
    }

    func log(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...2: .error
            case 3, 4: .warning  // librdkafka's "errors" are mostly transient (a broker away)
            case 5: .notice
            case 6: .info
            default: .debug
            }
        logger.log(
            level: swiftLevel, "librdkafka log",
            metadata: [LogKey.facility: "\(facility)", LogKey.detail: "\(message)"])
    }

    /// The events object behind a configuration opaque.
    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaEvents? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaEvents>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the C trampolines for this object's handlers on `config`.
    func install(on config: OpaquePointer) {
        rd_kafka_conf_set_opaque(config, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(config) { client, level, facility, message in
            guard let client, let events = RDKafkaEvents.from(rd_kafka_opaque(client)) else { return }
            events.log(
                level: level, facility: facility.map { String(cString: $0) } ?? "",
                message: message.map { String(cString: $0) } ?? "")
        }
        rd_kafka_conf_set_error_cb(config) { _, code, reason, opaque in
            RDKafkaEvents.from(opaque)?.recordError(
                rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
        }
        if onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(config) { _, message, opaque in
                guard let message, let events = RDKafkaEvents.from(opaque) else { return }
                events.onDelivery?(message)
            }
        }
        if onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(config) { client, event, partitions, opaque in
                guard let client, let partitions, let events = RDKafkaEvents.from(opaque) else { return }
                events.onRebalance?(client, event, partitions)
            }
        }
        if onCommit != nil {
            rd_kafka_conf_set_offset_commit_cb(config) { _, result, offsets, opaque in
                RDKafkaEvents.from(opaque)?.onCommit?(result, offsets)
            }
        }
    }
}
