public import DocRelayKafka

/// A topic of the plan that exists on the cluster with another retention than the plan's:
/// what `docrelay provision` reports, and changes with `--fix-retention`.
public struct RetentionDrift: Sendable, Hashable {
    public var topic: String
    public var planned: Retention
    /// The retention in force; nil when the cluster did not say (no readable `retention.ms`).
    public var actual: Retention?
    /// Whether `actual` is set on the topic itself, rather than the broker's default.
    public var isTopicOverride: Bool

    public init(topic: String, planned: Retention, actual: Retention?, isTopicOverride: Bool) {
        self.topic = topic
        self.planned = planned
        self.actual = actual
        self.isTopicOverride = isTopicOverride
    }

    /// Records may be deleted sooner than the plan wants: the dangerous direction.
    public var isShorter: Bool { !(actual?.isAtLeast(planned) ?? false) }

    /// `7d (broker default), plan 30d`.
    public var description: String {
        let source = isTopicOverride ? "set on the topic" : "broker default"
        return "retention \(actual.map(\.description) ?? "unknown") (\(source)), plan \(planned)"
    }

    /// The topics of `plan` among `existing` (settings by topic, as `KafkaAdmin
    /// .describeTopicConfigs` reports them) whose retention is not the plan's, in plan order.
    public static func of(_ plan: TopicPlan, existing: [String: [KafkaTopicConfigEntry]]) -> [RetentionDrift] {
        plan.topics.compactMap { topic in
            guard let entries = existing[topic.name] else { return nil }
            let entry = entries.first { $0.name == TopicPlan.retentionConfig }
            let actual = entry?.value.flatMap(Retention.init(retentionMilliseconds:))
            guard actual != topic.retention else { return nil }
            return RetentionDrift(topic: topic.name, planned: topic.retention, actual: actual, isTopicOverride: entry?.isTopicOverride ?? false)
        }
    }
}
