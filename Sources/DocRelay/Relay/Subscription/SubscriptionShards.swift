/// How the relay's main subscription (every agency's `out` topic) is split over several consumer
/// group members in one process, each subscribed to its own list of topics (issue 16).
///
/// Why split: librdkafka 2.0.2 (and the releases after it) keeps a client's topics in a list it
/// searches linearly, by name, for every topic of every fetch response (`rd_kafka_topic_find0`,
/// found by `perf` on the release relay at 10,000 agencies: its consumer's broker thread spent
/// most of its time there), and it sends and gets back every assigned partition in every fetch
/// (no KIP-227 fetch sessions). One member of T topics thus pays about T²/2 name comparisons per
/// fetch; K members of T/K topics pay T²/(2K) in all. Above all, a member subscribed to more
/// than 10,000 topics crashes the group's assignor (`subscriptionLimit`), so a hub past 10,000
/// agencies needs several members.
///
/// A topic's shard is a stable hash of its name (FNV-1a, 64 bits) modulo the shard count, so
/// every instance of the relay with the same count makes the same lists, and a topic created
/// later joins the list it hashes to. All members are in the relay's one consumer group: the
/// group's commits are per partition, so a partition moving to another member (or another
/// count after a restart) resumes where the group left it.
public struct SubscriptionShards: Sendable, Equatable {
    /// How many members: at least 1.
    public let count: Int

    /// librdkafka refuses a member whose subscription holds more than this many topics
    /// (`subscription_cnt > 10000` where it reads MemberMetadata) and its assignor then crashes
    /// the process (SIGSEGV; measured on the embedded broker).
    public static let subscriptionLimit = 10_000
    /// Topics per member when `automatic(outTopics:extra:)` splits: half the limit, so a hub
    /// can grow by as many agencies again before its next restart.
    public static let topicsPerShard = 5_000
    /// At most this many members in one process.
    public static let maxCount = 64

    public init(count: Int) {
        self.count = min(max(count, 1), Self.maxCount)
    }

    /// The count for a hub of `outTopics` agencies (`out` topics), `extra` other topics in the main
    /// subscription, when hub.yaml does not set `consumer.subscription-shards`: one member
    /// (subscribed by pattern) while it stays within `subscriptionLimit`, else one member per
    /// `topicsPerShard` topics.
    ///
    /// One member as long as librdkafka allows it, because the embedded broker serves several
    /// worse: it finds every partition of a request by a linear search of all its topics, once
    /// per member's fetch. Measured with `docrelay-bench scale` at 10,000 agencies (3,000
    /// documents at 1,000/s): one member p50 3.8 s, two 26.4 s, five left the benchmark's own
    /// producer unacknowledged. A Kafka broker finds partitions by hash.
    public static func automatic(outTopics: Int, extra: Int = 0) -> SubscriptionShards {
        guard outTopics + extra > subscriptionLimit else { return SubscriptionShards(count: 1) }
        return SubscriptionShards(count: (outTopics + topicsPerShard - 1) / topicsPerShard)
    }

    /// Whether the subscription is split (explicit topic lists) rather than one pattern.
    public var isSplit: Bool { count > 1 }

    /// The shard of `topic`: 0 ..< count.
    public func shard(of topic: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in topic.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        // FNV-1a's low bits depend on few of the input's bits (its low bit is the parity of the
        // bytes' low bits): mix the high ones down first (MurmurHash3's finalizer).
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Int(hash % UInt64(count))
    }

    /// `topics` split into `count` lists, each sorted.
    public func lists(_ topics: some Sequence<String>) -> [[String]] {
        var result = Array(repeating: [String](), count: count)
        for topic in topics { result[shard(of: topic)].append(topic) }
        return result.map { $0.sorted() }
    }
}
