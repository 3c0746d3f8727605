public import DocRelayKafka

/// Why the relay stops itself rather than go on: it can no longer keep its promises (every
/// record delivered, retried or dead-lettered), and a loop that retries forever would hide it.
/// `docrelay relay` exits 1 with this message; a supervisor (systemd, Docker) restarts it, and
/// the records it had not committed are processed again.
public enum RelayHalt: Error, CustomStringConvertible {
    /// A producer raised a fatal error (e.g. the idempotent producer's sequence is broken by
    /// `OUT_OF_ORDER_SEQUENCE_NUMBER`): librdkafka accepts no more records on it.
    case producerFatal(KafkaError, cluster: String)
    /// A record's outcome cannot be written at all: a minimal dead letter, or an event, refused
    /// for good by the broker (e.g. the dead-letter topic does not exist).
    case outcomeUnwritable(String)

    public var description: String {
        switch self {
        case .producerFatal(let error, let cluster):
            "the producer to \(cluster) failed fatally and accepts no more records: \(error.message); stopping so that a supervisor restarts the relay (records not committed are processed again)"
        case .outcomeUnwritable(let reason):
            "relay halted: \(reason); stopping so that an operator sees it (the record is not committed and is processed again after a restart)"
        }
    }

    /// The text `/healthz` gives while the relay stops for it.
    public var healthReason: String {
        switch self {
        case .producerFatal(let error, let cluster): "fatal Kafka producer error (\(cluster)): \(error.message)"
        case .outcomeUnwritable(let reason): "an outcome cannot be written: \(reason)"
        }
    }
}
