import DocRelayCore
public import DocRelayKafka
import Foundation

/// The Kafka ACLs a hub's topic plan needs, per principal:
///
/// - each agency of the hub, `User:<code>`: Write and Describe on its `out.<code>`, Read and
///   Describe on its `in.<code>`, Read on its agent's group `docrelay-agent-<code>`;
/// - the hub's relay, `User:relay-<hub>`: Read on every `out.` topic (by prefix: new agencies
///   need no new ACL) and on its `hub.<id>`; Write on every `in.` topic (by prefix), with Read and
///   DescribeConfigs there and Describe on the agents' groups (prefix `docrelay-agent-`) to check
///   unread records against the inbox's retention; Write on `dlq` and `events`; Read, Write and
///   Describe on the acceptance ledger `accepted`; Read and Write on
///   its retry topics; Read on its consumer groups (by prefix); Write on each neighbouring hub's
///   `hub.<id>`, on that hub's cluster;
/// - each neighbouring hub's relay, `User:relay-<neighbour>`: Write on this hub's `hub.<id>`.
public struct AccessPlan: Sendable, Hashable {
    /// One ACL: a principal allowed operations on a resource of one hub's cluster.
    public struct Rule: Sendable, Hashable {
        public let principal: String
        /// Kafka operation names as `kafka-acls.sh` spells them: `Read`, `Write`, `Describe`.
        public let operations: [String]
        public let resource: Resource
        /// The hub whose cluster holds the resource.
        public let hubID: String
    }

    /// A resource pattern.
    public enum Resource: Sendable, Hashable {
        case topic(String)
        /// Every topic whose name starts with this.
        case topicPrefix(String)
        case group(String)
        /// Every group whose name starts with this.
        case groupPrefix(String)

        /// `--topic NAME`, `--group NAME`, with `--resource-pattern-type prefixed` for a prefix.
        var arguments: [String] {
            switch self {
            case .topic(let name): ["--topic", name]
            case .topicPrefix(let prefix): ["--resource-pattern-type", "prefixed", "--topic", prefix]
            case .group(let name): ["--group", name]
            case .groupPrefix(let prefix): ["--resource-pattern-type", "prefixed", "--group", prefix]
            }
        }
    }

    public let rules: [Rule]

    /// The ACLs of `plan`. `relayGroup` is the relay's consumer group (a prefix of all its
    /// groups); by default `docrelay-relay-<hub>`.
    public init(_ plan: TopicPlan, relayGroup: String? = nil) {
        let names = plan.names
        let hubID = plan.hub.id
        var rules: [Rule] = []
        for code in plan.agencies {
            let principal = "User:\(code)"
            rules.append(Rule(principal: principal, operations: ["Write", "Describe"], resource: .topic(names.out(code)), hubID: hubID))
            rules.append(Rule(principal: principal, operations: ["Read", "Describe"], resource: .topic(names.inbox(code)), hubID: hubID))
            rules.append(Rule(principal: principal, operations: ["Read"], resource: .group(ConsumerGroupNames.agent(code)), hubID: hubID))
        }
        let relay = Self.relayPrincipal(hubID)
        rules.append(Rule(principal: relay, operations: ["Read"], resource: .topicPrefix("\(names.prefix).out."), hubID: hubID))
        rules.append(Rule(principal: relay, operations: ["Read"], resource: .topic(names.hub(hubID)), hubID: hubID))
        rules.append(Rule(
            principal: relay, operations: ["Write", "Read", "DescribeConfigs"], resource: .topicPrefix("\(names.prefix).in."), hubID: hubID))
        rules.append(Rule(principal: relay, operations: ["Describe"], resource: .groupPrefix(ConsumerGroupNames.agent("")), hubID: hubID))
        for tier in plan.retryTiers {
            rules.append(Rule(principal: relay, operations: ["Read", "Write"], resource: .topic(names.retry(tier)), hubID: hubID))
        }
        rules.append(Rule(principal: relay, operations: ["Write"], resource: .topic(names.deadLetters), hubID: hubID))
        rules.append(Rule(principal: relay, operations: ["Write"], resource: .topic(names.events), hubID: hubID))
        rules.append(Rule(principal: relay, operations: ["Read", "Write", "Describe"], resource: .topic(names.accepted), hubID: hubID))
        rules.append(Rule(principal: relay, operations: ["Read"], resource: .groupPrefix(relayGroup ?? "docrelay-relay-\(hubID)"), hubID: hubID))
        for neighbour in plan.neighbours {
            let theirs = TopicNames(prefix: neighbour.connection.topicPrefix)
            rules.append(Rule(principal: relay, operations: ["Write"], resource: .topic(theirs.hub(neighbour.id)), hubID: neighbour.id))
        }
        for neighbour in plan.neighbours {
            rules.append(Rule(
                principal: Self.relayPrincipal(neighbour.id), operations: ["Write"], resource: .topic(names.hub(hubID)), hubID: hubID))
        }
        self.rules = rules
    }

    /// `User:relay-<hub>`.
    public static func relayPrincipal(_ hubID: String) -> String { "User:relay-\(hubID)" }

    /// The principals in the order their rules come.
    public var principals: [String] {
        var seen: Set<String> = []
        return rules.map(\.principal).filter { seen.insert($0).inserted }
    }

    /// `kafka-acls.sh` commands, grouped by principal under a comment; `bootstrap` gives the
    /// bootstrap servers of a hub's cluster.
    /// The ACLs of the rules on `hubID`'s cluster, one per operation, as `KafkaAdmin.createAcls`
    /// takes them (the same ACLs `kafkaACLCommands` prints for that cluster).
    public func bindings(onCluster hubID: String) -> [KafkaAclBinding] {
        rules.filter { $0.hubID == hubID }.flatMap { rule in
            rule.operations.map { operation in
                switch rule.resource {
                case .topic(let name):
                    KafkaAclBinding(resourceType: .topic, name: name, patternType: .literal, principal: rule.principal, operation: operation)
                case .topicPrefix(let prefix):
                    KafkaAclBinding(resourceType: .topic, name: prefix, patternType: .prefixed, principal: rule.principal, operation: operation)
                case .group(let name):
                    KafkaAclBinding(resourceType: .group, name: name, patternType: .literal, principal: rule.principal, operation: operation)
                case .groupPrefix(let prefix):
                    KafkaAclBinding(resourceType: .group, name: prefix, patternType: .prefixed, principal: rule.principal, operation: operation)
                }
            }
        }
    }

    public func kafkaACLCommands(bootstrap: (String) -> String) -> [String] {
        var lines: [String] = []
        for principal in principals {
            lines.append("# \(principal)")
            for rule in rules where rule.principal == principal {
                var arguments = [
                    "kafka-acls.sh", "--bootstrap-server", bootstrap(rule.hubID), "--command-config", "admin.properties",
                    "--add", "--allow-principal", rule.principal,
                ]
                for operation in rule.operations { arguments += ["--operation", operation] }
                arguments += rule.resource.arguments
                lines.append(arguments.map(Self.shellQuoted).joined(separator: " "))
            }
        }
        return lines
    }

    /// `text` as one shell word: as is when it is made of safe characters, else single-quoted.
    static func shellQuoted(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/,=@+%")
        if !text.isEmpty, text.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
