public import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import Foundation
import Yams

extension RelayConfiguration {
    static let topKeys = ["hub", "instance", "directory", "trust", "identity", "kafka", "consumer", "retry", "limits", "acceptance", "retention", "admin"]

    /// Reads and checks `hub.yaml`; errors name the file, line, key and what was expected.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> RelayConfiguration {
        try read(ConfigurationFields.readTop(path, known: topKeys, what: "a relay configuration"), path: path)
    }

    public static func parse(_ yaml: String, path: String) throws(ConfigurationError) -> RelayConfiguration {
        try read(ConfigurationFields.top(yaml, path: path, known: topKeys, what: "a relay configuration"), path: path)
    }

    private static func read(_ top: YAMLMapping, path: String) throws(ConfigurationError) -> RelayConfiguration {
        let hubID = try top.requiredString("hub", required: "this hub's id in the directory", what: "a hub id")
        let instance = try top.string("instance", required: nil, what: "this relay instance's name")
            ?? ProcessInfo.processInfo.hostName
        let directory = try ConfigurationFields.file(top, "directory", required: "the path of the directory file", path: path)

        let trust = try ConfigurationFields.trust(top, path: path)
        let identity = try ConfigurationFields.identity(top, path: path, owner: "the hub's")

        var kafka: HubConnection?
        if let node = try top.node("kafka", required: nil) {
            kafka = try HubConnection.read(node, path: path, entry: nil, key: "kafka").0
        }

        let consumerNode = try top.node("consumer", required: nil)
        let consumer = try YAMLMapping(consumerNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "consumer", keyPrefix: "consumer.",
                                       known: ["group", "session-timeout", "workers", "retry-workers", "subscription-shards"],
                                       what: "a mapping with group, session-timeout, workers, retry-workers, subscription-shards")
        let group = try consumer.string("group", required: nil, what: "a consumer group id") ?? "docrelay-relay-\(hubID)"
        let sessionTimeout = try ConfigurationFields.duration(consumer, "session-timeout", default: .seconds(45), range: .seconds(1)...(.seconds(300)))
        let workers = try ConfigurationFields.integer(consumer, "workers", default: 256, range: 1...10_000)
        let retryWorkers = try ConfigurationFields.integer(consumer, "retry-workers", default: 32, range: 1...1000)
        var subscriptionShards: Int?
        if try consumer.string("subscription-shards", required: nil, what: "a whole number") != nil {
            subscriptionShards = try ConfigurationFields.integer(consumer, "subscription-shards", default: 1, range: 1...SubscriptionShards.maxCount)
        }

        let retryNode = try top.node("retry", required: nil)
        let retry = try YAMLMapping(retryNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "retry", keyPrefix: "retry.",
                                    known: ["tiers", "max-age", "attempt-timeout", "neighbour-hold-down"],
                                    what: "a mapping with tiers, max-age, attempt-timeout, neighbour-hold-down")
        var tiers = RetryTier.defaults
        if let tierNodes = try retry.list("tiers", required: nil, what: "a list of delays such as [5s, 1m, 10m, 1h]") {
            tiers = try tierNodes.map { node throws(ConfigurationError) in
                let text = try retry.text(node, key: "tiers", what: "a delay such as 5s, 1m, 10m or 1h")
                guard let tier = RetryTier(parsing: text) else {
                    throw retry.error(node, key: "tiers", "a delay such as 5s, 1m, 10m or 1h (a number and ms, s, m, h or d), not '\(text)'")
                }
                return tier
            }
            guard !tiers.isEmpty, Set(tiers.map(\.name)).count == tiers.count else {
                throw retry.error(try retry.node("tiers", required: nil), key: "tiers", "at least one tier, each once")
            }
        }
        let maxAge = try ConfigurationFields.duration(retry, "max-age", default: .seconds(86_400), range: .seconds(1)...(.seconds(365 * 86_400)))
        let attemptTimeout = try ConfigurationFields.duration(retry, "attempt-timeout", default: .seconds(30), range: .seconds(1)...(.seconds(600)))
        let holdDown = try ConfigurationFields.duration(retry, "neighbour-hold-down", default: .seconds(5), range: .milliseconds(100)...(.seconds(600)))

        let limitsNode = try top.node("limits", required: nil)
        let limits = try YAMLMapping(limitsNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "limits", keyPrefix: "limits.",
                                     known: ["max-value-bytes", "max-hops", "max-header-bytes", "memory-budget", "segment-timeout"],
                                     what: "a mapping with max-value-bytes, max-hops, max-header-bytes, memory-budget, segment-timeout")
        let maxValueBytes = try ConfigurationFields.integer(limits, "max-value-bytes", default: 1_048_576, range: 1024...(64 * 1_048_576))
        let maxHops = try ConfigurationFields.integer(limits, "max-hops", default: 16, range: 2...64)
        let segmentTimeout = try ConfigurationFields.duration(limits, "segment-timeout", default: .seconds(300), range: .seconds(5)...(.seconds(86_400)))
        // At least a signature of the contract's size and the other signed headers; at most 1 MiB.
        let maxHeaderBytes = try ConfigurationFields.integer(limits, "max-header-bytes", default: 65_536, range: 32_768...1_048_576)
        // Room for at least eight records of the largest size in processing (half the budget).
        let largest = EnvelopeLimits(maxValueBytes: maxValueBytes, maxHeaderBytes: maxHeaderBytes).maxRecordBytes
        let memoryBudget = try ConfigurationFields.integer(
            limits, "memory-budget", default: max(256 * 1_048_576, 16 * largest), range: (16 * largest)...(64 * 1024 * 1_048_576))

        let acceptanceNode = try top.node("acceptance", required: nil)
        let acceptanceFields = try YAMLMapping(
            acceptanceNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "acceptance", keyPrefix: "acceptance.",
            known: ["max-skew", "max-age"], what: "a mapping with max-skew, max-age")
        let acceptance = AcceptanceRules(
            maxSkew: try ConfigurationFields.duration(acceptanceFields, "max-skew", default: .seconds(300), range: .seconds(1)...(.seconds(86_400))),
            maxAge: try ConfigurationFields.duration(acceptanceFields, "max-age", default: .seconds(7 * 86_400), range: .seconds(60)...(.seconds(365 * 86_400))))

        let retention = try RetentionSettings.read(top, path: path, tiers: tiers, maxAge: maxAge, acceptance: acceptance)

        var admin: AdminAddress?
        var health = Liveness.Thresholds()
        health.stallAfter = max(health.stallAfter, attemptTimeout * 2)
        if let adminNode = try top.node("admin", required: nil) {
            let fields = try YAMLMapping(adminNode, path: path, entry: nil, key: "admin", keyPrefix: "admin.",
                                         known: ["listen", "broker-unreachable-after", "stall-after", "lag-growing-for"],
                                         what: "a mapping with listen, broker-unreachable-after, stall-after, lag-growing-for")
            if let listen = try fields.string("listen", required: nil, what: "host:port") {
                admin = try ConfigurationFields.address(listen, fields)
            }
            health = try ConfigurationFields.livenessThresholds(fields, defaults: health)
        }

        var configuration = RelayConfiguration(
            path: path, hubID: hubID, instance: instance, directoryPath: directory, anchorFiles: trust.anchors,
            intermediateFiles: trust.intermediates, crlFiles: trust.crls, certificateFile: identity.certificate,
            keyFile: identity.key, kafka: kafka,
            consumerGroup: group, sessionTimeout: sessionTimeout, workers: workers, retryTiers: tiers, maxAge: maxAge,
            attemptTimeout: attemptTimeout, maxValueBytes: maxValueBytes, maxHops: maxHops, neighbourHoldDown: holdDown,
            retention: retention, adminListen: admin, health: health, retryWorkers: retryWorkers)
        configuration.trustReloadEvery = trust.reloadEvery
        configuration.maxHeaderBytes = maxHeaderBytes
        configuration.memoryBudget = memoryBudget
        configuration.segmentTimeout = segmentTimeout
        configuration.subscriptionShards = subscriptionShards
        configuration.acceptance = acceptance
        return configuration
    }
}
