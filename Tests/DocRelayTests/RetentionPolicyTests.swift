@testable import DocRelay
import DocRelayCore
import DocRelayKafka
import Testing

/// Issue 10, point 6: every topic kept Kafka's 7-day default, so an agency off for 8 days lost
/// its inbox. The plan now gives each kind of topic its retention, from hub.yaml.
@Suite("Retention per topic kind: the plan, hub.yaml's retention section, drift on existing topics")
struct RetentionPolicyTests {
    static let day = 86_400

    let directory: Directory

    init() throws {
        directory = try Directory.parse("""
            hubs:
              - id: national
                kafka: { bootstrap: "kafka-national:9092" }
            agencies:
              - code: "000.00.00.G22"
                name: Văn phòng Chính phủ
                hub: national
            """, path: "retention-test.yaml")
    }

    private func configuration(_ extra: String) throws(ConfigurationError) -> RelayConfiguration {
        try RelayConfiguration.parse("""
            hub: national
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: hubs/national.pem, key: hubs/national.key }
            """ + extra, path: "hub.yaml")
    }

    @Test("Default plan: inboxes and dlq 30 days, events 90, out/hub/retry 7; every spec carries retention.ms")
    func defaultPlan() throws {
        let plan = try TopicPlan(directory: directory, hubID: "national")
        let byName = Dictionary(uniqueKeysWithValues: plan.topics.map { ($0.name, $0.retention.description) })
        print("default retention by topic: \(plan.topics.map { "\($0.name)=\($0.retention)" }.joined(separator: " "))")
        #expect(byName == [
            "docrelay.out.000.00.00.G22": "7d", "docrelay.in.000.00.00.G22": "30d", "docrelay.hub.national": "7d",
            "docrelay.retry.5s": "7d", "docrelay.retry.1m": "7d", "docrelay.retry.10m": "7d", "docrelay.retry.1h": "7d",
            "docrelay.dlq": "30d", "docrelay.events": "90d", "docrelay.accepted": "10085m",
        ])
        let specs = plan.specs(partitions: 3, replicationFactor: 3)
        let inbox = try #require(specs.first { $0.name == "docrelay.in.000.00.00.G22" })
        #expect(inbox.configs == ["retention.ms": String(Int64(30 * Self.day) * 1000)], "an 8-day outage is within the inbox's retention")
        #expect(specs.first { $0.name == "docrelay.events" }?.configs["retention.ms"] == "7776000000")
        #expect(specs.allSatisfy { $0.configs["retention.ms"] != nil }, "no topic is left to the broker's default")
        let ledger = try #require(specs.first { $0.name == "docrelay.accepted" })
        #expect(ledger.configs == ["retention.ms": String((7 * Self.day + 300) * 1000), "cleanup.policy": "compact,delete"],
                "acceptance.max-age + max-skew, compacted to one entry per identity")
        #expect(specs.filter { $0.configs["cleanup.policy"] != nil }.map(\.name) == ["docrelay.accepted"])
    }

    @Test("hub.yaml retention: sets each kind; forever is -1; the transit floor follows long tiers and max-age")
    func configured() throws {
        let configuration = try configuration("""

            retry: { tiers: [5s, 2d], max-age: 8d }
            retention: { inbox: 45d, dlq: forever, events: 180d, transit: 10d, warn-at: 70%, check-interval: 1m }
            """)
        let settings = configuration.retention
        #expect(settings.policy.inbox == .duration(.seconds(45 * Self.day)))
        #expect(settings.policy.deadLetters == .forever)
        #expect(settings.warnAt == 0.7)
        #expect(settings.checkInterval == .seconds(60))
        let plan = try TopicPlan(directory: directory, hubID: "national", retryTiers: configuration.retryTiers, retention: settings.policy)
        let specs = Dictionary(uniqueKeysWithValues: plan.specs(partitions: 1, replicationFactor: 1).map { ($0.name, $0.configs["retention.ms"]) })
        #expect(specs["docrelay.dlq"] == "-1")
        #expect(specs["docrelay.in.000.00.00.G22"] == "3888000000")
        #expect(specs["docrelay.retry.2d"] == "864000000")
        #expect(specs["docrelay.accepted"] == String((7 * Self.day + 300) * 1000), "the defaults of acceptance")

        // The acceptance ledger keeps acceptance.max-age + max-skew: what it can still decide.
        let accepting = try self.configuration("\nacceptance: { max-age: 2d, max-skew: 10m }\n")
        #expect(accepting.retention.policy.ledger == .duration(.seconds(2 * Self.day + 600)))

        // No transit given: 7 days is too short for a 2-day tier and an 8-day max age, so the floor (10d) is the default.
        let defaulted = try self.configuration("\nretry: { tiers: [5s, 2d], max-age: 8d }\n")
        #expect(defaulted.retention.policy.transit == .duration(.seconds(10 * Self.day)))
        #expect(defaulted.retention.warnAt == 0.8 && defaulted.retention.checkInterval == .seconds(300))
    }

    @Test("A bad retention value names the file, the line, the key and what was expected")
    func refusals() {
        let cases: [(String, String)] = [
            ("retention: { inbox: 30 }", "hub.yaml:5: key 'retention.inbox': expected a retention from 1h to 3650d such as 30d, 36h or 90d, or forever, not '30'"),
            ("retention: { dlq: 10m }", "key 'retention.dlq': expected a retention from 1h to 3650d"),
            ("retention: { events: 0d }", "key 'retention.events': expected a retention from 1h"),
            ("retention: { transit: 1d }", "key 'retention.transit': expected at least 49h (the longest retry tier plus retry.max-age: a record may wait that long), not 1d"),
            ("retention: { warn-at: 0.8 }", "key 'retention.warn-at': expected a percentage from 1% to 99% such as 80%, not '0.8'"),
            ("retention: { warn-at: 100% }", "key 'retention.warn-at': expected a percentage from 1% to 99%"),
            ("retention: { check-interval: 0s }", "key 'retention.check-interval': expected a duration from"),
            ("retention: { inbox-days: 30 }", "key 'retention.inbox-days': expected one of the known keys (inbox, dlq, events, transit, warn-at, check-interval)"),
            ("retention: 30d", "key 'retention': expected a mapping with inbox, dlq, events, transit, warn-at, check-interval, not '30d'"),
        ]
        for (yaml, expected) in cases {
            let extra = yaml.hasPrefix("retention: { transit") ? "\nretry: { max-age: 2d }\n" + yaml : "\n" + yaml
            #expect {
                try configuration(extra)
            } throws: { error in
                "\(error)".contains(expected)
            }
            if let error = Result(catching: { try configuration(extra) }).failure { print("\(yaml) -> \(error)") }
        }
    }

    @Test("Retention values: parsing, retention.ms both ways, comparison and the text operators read")
    func retentionValues() {
        #expect(Retention(parsing: "30d") == .duration(.seconds(30 * Self.day)))
        #expect(Retention(parsing: "forever") == .forever)
        #expect(Retention(parsing: "0d") == nil && Retention(parsing: "30") == nil && Retention(parsing: "-1d") == nil)
        #expect(Retention(retentionMilliseconds: "604800000")?.description == "7d")
        #expect(Retention(retentionMilliseconds: "-1") == .forever)
        #expect(Retention(retentionMilliseconds: "0") == nil && Retention(retentionMilliseconds: "7d") == nil)
        #expect(Retention.duration(.seconds(36 * 3600)).description == "36h")
        #expect(Retention.duration(.milliseconds(1500)).description == "1500ms")
        #expect(Retention.forever.isAtLeast(.duration(.seconds(1))) && !Retention.duration(.seconds(1)).isAtLeast(.forever))
        #expect(Retention.duration(.seconds(Self.day)).isAtLeast(.duration(.seconds(Self.day))))
    }

    @Test("Drift: existing topics whose retention.ms differs from the plan's, shorter ones flagged")
    func drift() throws {
        let plan = try TopicPlan(directory: directory, hubID: "national")
        let existing: [String: [KafkaTopicConfigEntry]] = [
            // Created before this change: the broker's 7-day default.
            "docrelay.in.000.00.00.G22": [
                KafkaTopicConfigEntry(name: "retention.ms", value: "604800000", isTopicOverride: false),
                KafkaTopicConfigEntry(name: "cleanup.policy", value: "delete", isTopicOverride: false),
            ],
            // Already as planned.
            "docrelay.out.000.00.00.G22": [KafkaTopicConfigEntry(name: "retention.ms", value: "604800000", isTopicOverride: true)],
            // Longer than planned, by hand.
            "docrelay.dlq": [KafkaTopicConfigEntry(name: "retention.ms", value: "-1", isTopicOverride: true)],
        ]
        let drifts = RetentionDrift.of(plan, existing: existing)
        print("drifts: \(drifts.map { "\($0.topic): \($0.description)" })")
        #expect(drifts.map(\.topic) == ["docrelay.in.000.00.00.G22", "docrelay.dlq"])
        #expect(drifts[0].description == "retention 7d (broker default), plan 30d")
        #expect(drifts[0].isShorter)
        #expect(!drifts[1].isShorter)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
