import DocRelayKafka

/// Why the agent stops itself: its producer failed fatally (librdkafka's fatal error, e.g. a
/// broken idempotent sequence), so nothing more can be published; retrying would loop forever.
/// The process exits non-zero (within `AgentHealthWatch.haltGrace`) for its supervisor to
/// restart it; nothing is lost, documents not acknowledged stay queued in the store and spool.
struct AgentHalt: Error, CustomStringConvertible {
    let error: KafkaError
    let cluster: String

    /// The `/healthz` reason, as the relay words it.
    var description: String { "fatal Kafka producer error (\(cluster)): \(error)" }
}
