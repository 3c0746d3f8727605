/// One configuration entry of a topic, as a DescribeConfigs request reports it.
public struct KafkaTopicConfigEntry: Sendable, Hashable {
    /// `retention.ms`, `cleanup.policy`, ...
    public var name: String
    /// The value in force, as text; nil when the broker hides it (sensitive) or has none.
    public var value: String?
    /// Set on this topic itself (source `DYNAMIC_TOPIC_CONFIG`), rather than inherited from the
    /// broker's configuration or Kafka's default.
    public var isTopicOverride: Bool
    public var isSensitive: Bool
    public var isReadOnly: Bool

    public init(name: String, value: String?, isTopicOverride: Bool, isSensitive: Bool = false, isReadOnly: Bool = false) {
        self.name = name
        self.value = value
        self.isTopicOverride = isTopicOverride
        self.isSensitive = isSensitive
        self.isReadOnly = isReadOnly
    }
}

extension KafkaTopicConfigEntry {
    /// What an AlterConfigs request must carry for a topic so that only `changes` change.
    ///
    /// AlterConfigs (the only alteration librdkafka 2.0 offers; IncrementalAlterConfigs came in
    /// 2.2) replaces every override of the topic with what it sends: an override left out
    /// returns to the broker's default. So the result is every current override of `current`
    /// (`isTopicOverride`), with `changes` applied over it.
    ///
    /// - Throws: `invalidArgument` when an override the request must keep has no readable value
    ///   (a sensitive one): sending it would lose it.
    public static func overrides(
        keeping current: [KafkaTopicConfigEntry], changing changes: [String: String], topic: String
    ) throws(KafkaError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in current where entry.isTopicOverride && changes[entry.name] == nil {
            guard let value = entry.value else {
                throw KafkaError(
                    code: .invalidArgument,
                    message: "topic \(topic): its setting \(entry.name) cannot be read (sensitive), so it cannot be kept while changing \(changes.keys.sorted().joined(separator: ", ")); change it with kafka-configs.sh",
                    isRetriable: false)
            }
            result[entry.name] = value
        }
        result.merge(changes) { _, changed in changed }
        return result
    }
}
