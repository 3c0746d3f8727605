@testable import DocRelay
import DocRelayCore
import Foundation
import Testing

/// Issue 16: a member subscribed to more than 10,000 topics crashes librdkafka's assignor, so a
/// hub past 10,000 agencies splits its `out` topics over several members (`SubscriptionShards`).
@Suite("The relay's subscription split over consumer group members: shards, the automatic count, hub.yaml's key")
struct SubscriptionShardsTests {
    /// The `out` topics of `000.00.00.H58` ... `000.99.99.H58` (0 ..< 10,000).
    static func outTopic(_ index: Int) -> String {
        "docrelay.out.000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"
    }

    @Test("Every topic in exactly one list; the same lists from any instance; a topic's shard does not depend on the others")
    func lists() {
        let shards = SubscriptionShards(count: 4)
        let topics = (0..<1_000).map(Self.outTopic)
        let lists = shards.lists(topics)
        #expect(lists.count == 4)
        #expect(lists.flatMap { $0 }.sorted() == topics.sorted())
        #expect(Set(lists.flatMap { $0 }).count == topics.count)
        #expect(SubscriptionShards(count: 4).lists(topics.reversed()) == lists, "another instance, another order: the same lists")
        for (index, list) in lists.enumerated() {
            for topic in list { #expect(shards.shard(of: topic) == index) }
        }
        // A topic created later joins the list it hashes to, whatever else exists.
        let late = Self.outTopic(5_000)
        #expect(shards.lists(topics + [late])[shards.shard(of: late)].contains(late))
    }

    @Test("Codes that differ in one digit spread evenly: every count from 2 to 8 within 15% of the mean")
    func spread() {
        // FNV-1a alone puts a name's low bit at the parity of its bytes' low bits: two shards
        // split 000.00.01, 000.00.03 ... from 000.00.00, 000.00.02 ..., by the last digit alone.
        let topics = (0..<10_000).map(Self.outTopic)
        for count in 2...8 {
            let sizes = SubscriptionShards(count: count).lists(topics).map(\.count)
            let mean = Double(topics.count) / Double(count)
            #expect(sizes.allSatisfy { abs(Double($0) - mean) < mean * 0.15 }, "\(count) shards: \(sizes)")
        }
        // Neighbouring codes do not all fall together.
        let neighbours = (0..<10).map { Self.outTopic($0) }
        #expect(Set(neighbours.map(SubscriptionShards(count: 2).shard(of:))).count == 2)
    }

    @Test("Automatic: one member (the pattern) up to librdkafka's 10,000 topics with the hub's own topic counted; past it one per 5,000")
    func automatic() {
        #expect(SubscriptionShards.automatic(outTopics: 20).count == 1)
        #expect(SubscriptionShards.automatic(outTopics: 10_000).count == 1)
        #expect(SubscriptionShards.automatic(outTopics: 10_000, extra: 1).count == 2)
        #expect(SubscriptionShards.automatic(outTopics: 9_999, extra: 1).count == 1)
        #expect(SubscriptionShards.automatic(outTopics: 10_001).count == 3)
        #expect(SubscriptionShards.automatic(outTopics: 50_000).count == 10)
        #expect(!SubscriptionShards(count: 1).isSplit)
        #expect(SubscriptionShards(count: 0).count == 1)
        #expect(SubscriptionShards(count: 1_000).count == SubscriptionShards.maxCount)
    }

    private func configuration(_ consumer: String) throws(ConfigurationError) -> RelayConfiguration {
        try RelayConfiguration.parse("""
            hub: national
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: hubs/national.pem, key: hubs/national.key }
            consumer: { \(consumer) }
            """, path: "hub.yaml")
    }

    @Test("hub.yaml consumer.subscription-shards: absent is automatic (nil), 1 to 64 taken, anything else named with the file and key")
    func configurationKey() throws {
        #expect(try configuration("workers: 8").subscriptionShards == nil)
        #expect(try configuration("subscription-shards: 1").subscriptionShards == 1)
        #expect(try configuration("subscription-shards: 4").subscriptionShards == 4)
        for value in ["0", "65", "two", "-1"] {
            #expect {
                try configuration("subscription-shards: \(value)")
            } throws: { error in
                "\(error)".contains("hub.yaml") && "\(error)".contains("consumer.subscription-shards")
                    && "\(error)".contains("a whole number from 1 to 64, not '\(value)'")
            }
        }
    }

    @Test("The session timeout advised for the group leader's assignment: 3 ms a partition; a small hub needs no advice")
    func sessionTimeoutAdvice() {
        #expect(AssignmentTime.shortfall(partitions: 10_000, sessionTimeout: .seconds(6)) == .seconds(30))
        #expect(AssignmentTime.shortfall(partitions: 10_000, sessionTimeout: .seconds(45)) == nil, "the default holds 15,000")
        #expect(AssignmentTime.shortfall(partitions: 15_001, sessionTimeout: .seconds(45)) == .milliseconds(45_003))
        #expect(AssignmentTime.shortfall(partitions: 60, sessionTimeout: .seconds(6)) == nil)
    }
}
