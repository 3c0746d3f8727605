@testable import DocRelay
import DocRelayCore
import DocRelayKafka
import Testing

@Suite("Topic plan and ACLs: what a directory implies for a hub")
struct TopicPlanTests {
    let directory: Directory

    init() throws {
        directory = try Directory.parse("""
            hubs:
              - id: national
                kafka: { bootstrap: "kafka-national:9092" }
              - id: h58
                parent: national
                kafka: { bootstrap: "kafka-h58:9092", topic-prefix: vn58 }
              - id: h53
                parent: national
                kafka: { bootstrap: "kafka-h53:9092" }
            agencies:
              - code: "000.00.00.G22"
                name: Văn phòng Chính phủ
                hub: national
              - code: "000.00.00.H58"
                name: UBND tỉnh Tiền Giang
                hub: h58
              - code: "000.00.12.H58"
                name: UBND huyện Cái Bè
              - code: "vxp.saas.03"
                name: SaaS test unit
                hub: h58
                parent: "000.00.00.H58"
              - code: "000.00.00.H53"
                name: UBND tỉnh Tây Ninh
                hub: h53
            """, path: "plan-test.yaml")
    }

    @Test("A provincial hub: its agencies' out and in, its hub topic, the tiers, dlq and events, with its prefix")
    func provincialHub() throws {
        let plan = try TopicPlan(directory: directory, hubID: "h58")
        #expect(plan.topics.map(\.name) == [
            "vn58.out.000.00.00.H58", "vn58.in.000.00.00.H58",
            "vn58.out.000.00.12.H58", "vn58.in.000.00.12.H58",
            "vn58.out.vxp.saas.03", "vn58.in.vxp.saas.03",
            "vn58.hub.h58",
            "vn58.retry.5s", "vn58.retry.1m", "vn58.retry.10m", "vn58.retry.1h",
            "vn58.dlq", "vn58.events", "vn58.accepted",
        ])
        #expect(plan.agencies == ["000.00.00.H58", "000.00.12.H58", "vxp.saas.03"], "a QCVN code without hub lives at its parent's")
        #expect(plan.neighbours.map(\.id) == ["national"])
        #expect(plan.topics[0].role == .outbox(agency: "000.00.00.H58"))
        #expect(plan.topics[7].role.description == "waiting 5s for the next attempt")
        let specs = plan.specs(partitions: 6, replicationFactor: 3)
        #expect(specs.count == 14)
        #expect(plan.topics.last?.role == .ledger)
        #expect(specs.allSatisfy { $0.partitions == 6 && $0.replicationFactor == 3 })
    }

    @Test("The root hub: its neighbours are its children; tiers and prefix as given")
    func rootHub() throws {
        let tiers = try [#require(RetryTier(parsing: "1s")), #require(RetryTier(parsing: "3s"))]
        let plan = try TopicPlan(directory: directory, hubID: "national", names: TopicNames(prefix: "test"), retryTiers: tiers)
        #expect(plan.topics.map(\.name) == [
            "test.out.000.00.00.G22", "test.in.000.00.00.G22", "test.hub.national", "test.retry.1s", "test.retry.3s",
            "test.dlq", "test.events", "test.accepted",
        ])
        #expect(plan.neighbours.map(\.id) == ["h58", "h53"])
    }

    @Test("A hub the directory does not declare is named, with the hubs it has")
    func unknownHub() {
        #expect {
            try TopicPlan(directory: directory, hubID: "h99")
        } throws: { error in
            "\(error)" == "no hub 'h99' in the directory (its hubs: national, h58, h53)"
        }
    }

    @Test("Every hub's plan, each with its own prefix")
    func allHubs() {
        let plans = TopicPlan.allHubs(of: directory)
        #expect(plans.map(\.hub.id) == ["national", "h58", "h53"])
        #expect(plans.map(\.names.prefix) == ["docrelay", "vn58", "docrelay"])
        let names: Set<String> = Set(plans.flatMap { $0.topics.map(\.name) })
        // 10 national, 14 h58, 10 h53; national and h53 share the prefix, so their retry, dlq,
        // events and accepted topics are the same seven.
        #expect(names.count == 10 + 14 + 10 - 7)
        #expect(names.contains("vn58.dlq") && names.contains("docrelay.dlq") && names.contains("docrelay.hub.h53"))
    }

    @Test("ACLs: agencies write their out and read their in; the relay reads outs by prefix and writes to its neighbours")
    func accessRules() throws {
        let plan = try TopicPlan(directory: directory, hubID: "h58")
        let access = AccessPlan(plan, relayGroup: "relay-group-h58")
        #expect(access.principals == ["User:000.00.00.H58", "User:000.00.12.H58", "User:vxp.saas.03", "User:relay-h58", "User:relay-national"])
        let lines = access.kafkaACLCommands { hub in "kafka-\(hub):9092" }
        let prefix = "kafka-acls.sh --bootstrap-server kafka-h58:9092 --command-config admin.properties --add --allow-principal"
        let expected = [
            "# User:000.00.00.H58",
            "\(prefix) User:000.00.00.H58 --operation Write --operation Describe --topic vn58.out.000.00.00.H58",
            "\(prefix) User:000.00.00.H58 --operation Read --operation Describe --topic vn58.in.000.00.00.H58",
            "\(prefix) User:000.00.00.H58 --operation Read --group docrelay-agent-000.00.00.H58",
        ]
        #expect(Array(lines.prefix(4)) == expected)
        let relay = lines.drop { $0 != "# User:relay-h58" }.dropFirst().prefix { !$0.hasPrefix("#") }
        #expect(Array(relay) == [
            "\(prefix) User:relay-h58 --operation Read --resource-pattern-type prefixed --topic vn58.out.",
            "\(prefix) User:relay-h58 --operation Read --topic vn58.hub.h58",
            "\(prefix) User:relay-h58 --operation Write --operation Read --operation DescribeConfigs --resource-pattern-type prefixed --topic vn58.in.",
            "\(prefix) User:relay-h58 --operation Describe --resource-pattern-type prefixed --group docrelay-agent-",
            "\(prefix) User:relay-h58 --operation Read --operation Write --topic vn58.retry.5s",
            "\(prefix) User:relay-h58 --operation Read --operation Write --topic vn58.retry.1m",
            "\(prefix) User:relay-h58 --operation Read --operation Write --topic vn58.retry.10m",
            "\(prefix) User:relay-h58 --operation Read --operation Write --topic vn58.retry.1h",
            "\(prefix) User:relay-h58 --operation Write --topic vn58.dlq",
            "\(prefix) User:relay-h58 --operation Write --topic vn58.events",
            "\(prefix) User:relay-h58 --operation Read --operation Write --operation Describe --topic vn58.accepted",
            "\(prefix) User:relay-h58 --operation Read --resource-pattern-type prefixed --group relay-group-h58",
            "kafka-acls.sh --bootstrap-server kafka-national:9092 --command-config admin.properties --add --allow-principal User:relay-h58 --operation Write --topic docrelay.hub.national",
        ])
        #expect(lines.last == "\(prefix) User:relay-national --operation Write --topic vn58.hub.h58")
    }

    @Test("ACLs for CreateAcls: one per operation, only this hub's cluster's, the same as the printed commands")
    func aclBindings() throws {
        let plan = try TopicPlan(directory: directory, hubID: "h58")
        let access = AccessPlan(plan, relayGroup: "relay-group-h58")
        let bindings = access.bindings(onCluster: "h58")
        let ownRules = access.rules.filter { $0.hubID == "h58" }
        #expect(bindings.count == ownRules.map(\.operations.count).reduce(0, +))
        #expect(!bindings.contains { $0.name == "docrelay.hub.national" }, "a neighbour's cluster is not this one's")
        #expect(bindings.prefix(2) == [
            KafkaAclBinding(resourceType: .topic, name: "vn58.out.000.00.00.H58", patternType: .literal, principal: "User:000.00.00.H58", operation: "Write"),
            KafkaAclBinding(resourceType: .topic, name: "vn58.out.000.00.00.H58", patternType: .literal, principal: "User:000.00.00.H58", operation: "Describe"),
        ])
        #expect(bindings.contains(KafkaAclBinding(resourceType: .topic, name: "vn58.in.", patternType: .prefixed, principal: "User:relay-h58", operation: "DescribeConfigs")))
        #expect(bindings.contains(KafkaAclBinding(resourceType: .group, name: "relay-group-h58", patternType: .prefixed, principal: "User:relay-h58", operation: "Read")))
        #expect(bindings.contains(KafkaAclBinding(resourceType: .group, name: "docrelay-agent-000.00.00.H58", patternType: .literal, principal: "User:000.00.00.H58", operation: "Read")))
    }

    @Test("The relay may read inboxes, their settings and the agents' group offsets, to check unread records")
    func relayAccess() throws {
        let plan = try TopicPlan(directory: directory, hubID: "national")
        let relayRules = AccessPlan(plan).rules.filter { $0.principal == "User:relay-national" }
        #expect(relayRules.contains { $0.resource == .topicPrefix("docrelay.in.") && Set($0.operations) == ["Write", "Read", "DescribeConfigs"] })
        #expect(relayRules.contains { $0.resource == .groupPrefix("docrelay-agent-") && $0.operations == ["Describe"] })
    }

    @Test("Words unsafe for a shell are quoted")
    func quoting() {
        #expect(AccessPlan.shellQuoted("docrelay.in.") == "docrelay.in.")
        #expect(AccessPlan.shellQuoted("a b") == "'a b'")
        #expect(AccessPlan.shellQuoted("it's") == #"'it'\''s'"#)
        #expect(AccessPlan.shellQuoted("") == "''")
    }
}
