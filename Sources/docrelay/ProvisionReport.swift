import DocRelay
import DocRelayCore
import Foundation

/// What `docrelay provision --json` prints: one JSON object with the plan, what became of each
/// topic on the cluster, the ACL commands and how many ACLs were created.
final class ProvisionReport {
    /// By topic: `created`, `exists` or `fixed` (a dry run or --acls-only leaves it empty).
    var results: [String: String] = [:]
    /// By topic: the retention found on the cluster where it differs from the plan's.
    var actualRetention: [String: String] = [:]
    /// ACLs created with --apply-acls.
    var aclsCreated: Int?

    /// The object, keys sorted, on one line.
    func json(plan: TopicPlan, partitions: Int, replication: Int, dryRun: Bool, aclCommands: [String]) -> String {
        let topics: [[String: Any]] = plan.topics.map { topic in
            var object: [String: Any] = ["name": topic.name, "role": topic.role.description, "retention": "\(topic.retention)"]
            if let result = results[topic.name] { object["result"] = result }
            if let actual = actualRetention[topic.name] { object["actual-retention"] = actual }
            return object
        }
        var object: [String: Any] = [
            "hub": plan.hub.id, "prefix": plan.names.prefix, "partitions": partitions, "replication": replication,
            "dry-run": dryRun, "topics": topics, "acl-commands": aclCommands,
        ]
        if let aclsCreated { object["acls-created"] = aclsCreated }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
