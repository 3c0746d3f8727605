import DocRelayCore
import DocRelayKafka
import Logging
import Synchronization

/// The relay's main consumers, one group member per shard (`SubscriptionShards`), and the topics
/// each is subscribed to.
///
/// One shard subscribes by pattern (every agency's `out` topic, and this hub's topic with
/// neighbours), so new agencies are picked up at librdkafka's next metadata refresh. Several
/// shards subscribe by name: member 0 also takes this hub's topic, and `add` (called every 10 s
/// by the relay) gives the `out` topics created later to the member they hash to.
final class MainSubscription: Sendable {
    let shards: SubscriptionShards
    /// One per shard, in shard order.
    let consumers: [KafkaConsumer]
    private let topics: TopicNames
    /// Subscribed by member 0 besides its agencies (this hub's topic with neighbours).
    private let extra: [String]
    /// Per member, the `out` topics it is subscribed to (split subscriptions only).
    private let lists: Mutex<[Set<String>]>
    private let logger: Logger

    init(shards: SubscriptionShards, consumers: [KafkaConsumer], topics: TopicNames, extra: [String], logger: Logger) {
        precondition(consumers.count == shards.count, "one consumer per shard")
        self.shards = shards
        self.consumers = consumers
        self.topics = topics
        self.extra = extra
        self.lists = Mutex(Array(repeating: [], count: shards.count))
        self.logger = logger
    }

    /// Subscribes every member: by pattern with one shard, else each to the `out` topics among
    /// `existing` that hash to it.
    ///
    /// - Throws: `ConfigurationError` naming `consumer.subscription-shards` of `configPath` when
    ///   a member would hold more than `SubscriptionShards.subscriptionLimit` topics (librdkafka
    ///   would crash the process); `KafkaError` when librdkafka refuses a subscription.
    func subscribe(existing: [String], configPath: String) throws {
        let out = existing.filter { topics.agencyCode(ofOutTopic: $0) != nil }
        let split = shards.lists(out)
        let largest = (split.map(\.count).max() ?? 0) + extra.count
        guard largest <= SubscriptionShards.subscriptionLimit else {
            throw ConfigurationError(
                path: configPath, key: "consumer.subscription-shards",
                expected: "enough members for \(out.count) agency out topics: with \(shards.count), one would be subscribed to \(largest) topics, more than librdkafka's \(SubscriptionShards.subscriptionLimit) (leave the key out to choose by the number of topics)")
        }
        guard shards.isSplit else {
            try consumers[0].subscribe(topics: [topics.outPattern] + extra)
            return
        }
        lists.withLock { $0 = split.map(Set.init) }
        for (index, consumer) in consumers.enumerated() {
            try consumer.subscribe(topics: split[index] + (index == 0 ? extra : []))
        }
        logger.notice(
            "The agencies' out topics are split over \(shards.count) consumer group members",
            metadata: ["docrelay.shards": "\(split.map(\.count).map(String.init).joined(separator: ","))"])
    }

    /// Subscribes the members to the `out` topics among `existing` they do not hold yet (a
    /// split subscription only; a pattern follows by itself). A member that would pass
    /// `SubscriptionShards.subscriptionLimit` is not given more: the topic is named in an error
    /// log, and its records wait (lag) until the relay restarts with more shards.
    ///
    /// - Returns: the topics added.
    /// - Throws: `KafkaError` when librdkafka refuses a subscription.
    @discardableResult
    func add(existing: [String]) throws -> [String] {
        guard shards.isSplit else { return [] }
        let limit = SubscriptionShards.subscriptionLimit - extra.count
        var refused: [String] = []
        var added: [String] = []
        let changed: [(Int, [String])] = lists.withLock { lists in
            var touched = Set<Int>()
            for topic in existing where topics.agencyCode(ofOutTopic: topic) != nil {
                let shard = shards.shard(of: topic)
                guard !lists[shard].contains(topic) else { continue }
                guard lists[shard].count < limit else {
                    refused.append(topic)
                    continue
                }
                lists[shard].insert(topic)
                touched.insert(shard)
                added.append(topic)
            }
            return touched.sorted().map { ($0, lists[$0].sorted()) }
        }
        for topic in refused {
            logger.error(
                "An agency's out topic is not read: its consumer group member already holds \(limit) topics, librdkafka's limit; restart the relay with more consumer.subscription-shards",
                metadata: [LogKey.topic: "\(topic)"])
        }
        for (shard, list) in changed {
            do {
                try consumers[shard].subscribe(topics: list + (shard == 0 ? extra : []))
            } catch {
                // Not subscribed: the next call tries these again.
                let undone = Set(added.filter { shards.shard(of: $0) == shard })
                lists.withLock { $0[shard].subtract(undone) }
                throw error
            }
        }
        if !changed.isEmpty {
            logger.info("New agency out topics subscribed", metadata: ["docrelay.shards.changed": "\(changed.map(\.0))"])
        }
        return added
    }

    /// Partitions assigned to this process's members.
    var assignedCount: Int { consumers.reduce(0) { $0 + $1.assignment.count } }

    /// Records handed out and not yet marked processed, over all members.
    var inFlightCount: Int { consumers.reduce(0) { $0 + $1.inFlightCount } }
}
