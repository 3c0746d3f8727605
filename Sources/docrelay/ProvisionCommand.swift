import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayDaemon
import DocRelayKafka
import Foundation
import Logging

/// `docrelay provision`: creates the topics a directory implies for one hub and prints the
/// ACLs each principal needs.
struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Create the topics a directory implies for a hub, and print the ACLs each principal needs.",
        discussion: """
            The topics: out.<code> and in.<code> for each agency whose home is the hub, hub.<id>, \
            one retry.<delay> per retry tier (the configuration's, else 5s, 1m, 10m, 1h), dlq and \
            events, each created with the retention of its kind (the configuration's retention: \
            section, else inboxes and dlq 30d, events 90d, the rest 7d). Topics that exist are \
            reported with their retention where it differs from the plan's, and left as they are \
            unless --fix-retention is given. Topics that exist are never asked for again (a \
            second run creates only what is missing); the others are created in requests of 500, \
            each given three times --connect-timeout, with progress on standard error, and what \
            timed out is asked again (3 attempts). Errors name the cluster (bootstrap servers). \
            The Kafka connection is \
            the configuration's (--config), else the hub's in the directory, unless \
            --bootstrap-servers is given. The ACLs are printed as kafka-acls.sh commands \
            (admin.properties: the administrator's connection settings). librdkafka's embedded \
            cluster (`docrelay broker`) does not implement topic creation: use `docrelay broker \
            --provision dir.yaml` there.
            """)

    @Option(help: ArgumentHelp("The directory (YAML).", valueName: "file"))
    var directory: String?

    @Option(help: ArgumentHelp("The relay's configuration (hub.yaml): its hub, directory, retry tiers and Kafka.", valueName: "file"))
    var config: String?

    @Option(help: "The hub to provision (default: the configuration's, or the directory's only hub).")
    var hub: String?

    @Option(help: "Partitions of each topic (1 to 10000).")
    var partitions: Int = 3

    @Option(help: "Replication factor of each topic (1 to 10).")
    var replication: Int = 3

    @Flag(help: "Print the plan and the ACLs; create nothing (no Kafka needed).")
    var dryRun = false

    @Flag(help: "Print only the ACL commands (no Kafka needed).")
    var aclsOnly = false

    @Flag(help: "Set the plan's retention on topics that exist with another (AlterConfigs; their other settings are kept).")
    var fixRetention = false

    @OptionGroup var kafka: KafkaConnectionOptions

    @Option(help: "The topic prefix (default: the hub's in the directory or configuration).")
    var topicPrefix: String?

    @Option(help: ArgumentHelp("Keep trying for up to this many seconds while the cluster is not ready (unreachable, fewer brokers than --replication); 0 tries once.", valueName: "seconds"))
    var waitForCluster: Int = 0

    @Flag(help: "Print one JSON object (the plan, each topic's result, the ACL commands) instead of text.")
    var json = false

    @Flag(help: "Create the ACLs of this hub's cluster too (CreateAcls; the connection must be a Kafka administrator's, e.g. admin in docker-compose.yml). ACLs on neighbouring hubs' clusters are only printed.")
    var applyAcls = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (directory == nil) != (config == nil) else {
            throw ValidationError("give --directory dir.yaml or --config hub.yaml (one of them)")
        }
        guard (1...10_000).contains(partitions) else { throw ValidationError("option --partitions \(partitions): expected 1 to 10000") }
        guard (1...10).contains(replication) else { throw ValidationError("option --replication \(replication): expected 1 to 10") }
        guard !applyAcls || (!dryRun && !aclsOnly) else {
            throw ValidationError("option --apply-acls changes the cluster: it cannot go with --dry-run or --acls-only")
        }
        guard (0...3600).contains(waitForCluster) else {
            throw ValidationError("option --wait-for-cluster \(waitForCluster): expected 0 to 3600 seconds")
        }
        guard !fixRetention || (!dryRun && !aclsOnly) else {
            throw ValidationError("option --fix-retention changes topics on the cluster: it cannot go with --dry-run or --acls-only")
        }
    }

    /// Prints `text` unless --json.
    private func say(_ text: String) {
        if !json { print(text) }
    }

    func run() async throws {
        let report = ProvisionReport()
        let logger = try logging.makeLogger(label: "docrelay.provision")
        let target = try resolveTarget()
        let plan: TopicPlan
        do {
            plan = try TopicPlan(
                directory: target.directory, hubID: target.hubID, names: TopicNames(prefix: target.prefix),
                retryTiers: target.retryTiers, retention: target.retention)
        } catch {
            throw CommandFailure.configuration("\(target.source): \(error)")
        }
        let access = AccessPlan(plan, relayGroup: target.relayGroup)

        if !aclsOnly {
            say("Topics of hub \(plan.hub.id) (\(plan.agencies.count) agenc\(plan.agencies.count == 1 ? "y" : "ies"), prefix \(plan.names.prefix), \(partitions) partition\(partitions == 1 ? "" : "s"), replication \(replication)):")
            let width = (plan.topics.map(\.name.count).max() ?? 0) + 2
            for topic in plan.topics {
                let retention = "retention \(topic.retention)".padding(toLength: 18, withPad: " ", startingAt: 0)
                say("  " + topic.name.padding(toLength: width, withPad: " ", startingAt: 0) + retention + topic.role.description)
            }
        }
        if !dryRun && !aclsOnly {
            try await create(plan, settings: try target.settings(), logger: logger, report: report)
        }
        if !aclsOnly {
            say("")
            say("ACLs (kafka-acls.sh; admin.properties holds the administrator's connection settings):")
        }
        if applyAcls {
            try await apply(access.bindings(onCluster: plan.hub.id), settings: try target.settings(), logger: logger, report: report)
        }
        let ownBootstrap = (try? target.bootstrap()) ?? "BOOTSTRAP"
        let lines = access.kafkaACLCommands { hubID in
            hubID == plan.hub.id ? ownBootstrap : target.directory.hub(id: hubID)?.connection.bootstrap ?? "BOOTSTRAP"
        }
        say(lines.joined(separator: "\n"))
        if dryRun && !aclsOnly { say("\ndry run: nothing created") }
        if json {
            print(report.json(plan: plan, partitions: partitions, replication: replication, dryRun: dryRun, aclCommands: lines))
        }
    }

    /// How long to wait for a cluster that is not ready: `--wait-for-cluster`.
    private var clusterWait: ClusterWait { ClusterWait(limit: .seconds(waitForCluster)) }

    /// Says on standard error that the cluster is not ready and when the next attempt is.
    private func reportRetry(_ error: KafkaError, _ pause: Duration) {
        printError("provision: the cluster is not ready (\(error)); trying again in \(pause)")
    }

    /// The failure when the cluster was still not ready at the end of `--wait-for-cluster`.
    private func notReady(_ error: ClusterWait.NotReady, settings: KafkaSettings) -> CommandFailure {
        let servers = settings.bootstrapServers.joined(separator: ",")
        return .operation("\(servers): \(error) (--wait-for-cluster \(waitForCluster))")
    }

    private func apply(_ bindings: [KafkaAclBinding], settings: KafkaSettings, logger: Logger, report: ProvisionReport) async throws {
        var connected = false
        do {
            try await clusterWait.run(retrying: reportRetry) {
                connected = false
                let admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
                connected = true
                try await admin.createAcls(bindings)
            }
        } catch let error as ClusterWait.NotReady {
            throw notReady(error, settings: settings)
        } catch let error as KafkaError where !connected {
            throw error.startupFailure
        } catch let error as KafkaError {
            throw CommandFailure.operation("""
                creating \(bindings.count) ACLs on \(settings.bootstrapServers.joined(separator: ",")): \(error)                 (the connection must be a Kafka administrator's, and the cluster must have an authorizer;                 librdkafka's embedded cluster implements no CreateAcls)
                """)
        }
        say("")
        say("ACLs created on this hub's cluster: \(bindings.count)")
        report.aclsCreated = bindings.count
    }

    /// Topics per CreateTopics request: a 10,000-agency hub has 20,009 topics, which one request
    /// could not create within its timeout (issue 16).
    static let batchSize = 500

    /// How long one CreateTopics request may take: three times `--connect-timeout` (30 s by default).
    private func requestTimeout(_ settings: KafkaSettings) -> Duration { max(settings.connectTimeout * 3, .seconds(1)) }

    private func create(_ plan: TopicPlan, settings: KafkaSettings, logger: Logger, report: ProvisionReport) async throws {
        let servers = settings.bootstrapServers.joined(separator: ",")
        let admin: KafkaAdmin
        let result: KafkaTopicCreation
        var connected = false
        let specs = plan.specs(partitions: partitions, replicationFactor: replication)
        do {
            (admin, result) = try await clusterWait.run(retrying: reportRetry) {
                connected = false
                let admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
                connected = true
                let result = try await admin.createTopics(specs, batchSize: Self.batchSize, requestTimeout: requestTimeout(settings)) { progress in
                    printError("provision: \(servers): \(progress)")
                }
                return (admin, result)
            }
        } catch let error as ClusterWait.NotReady {
            throw notReady(error, settings: settings)
        } catch let error as KafkaError where !connected {
            throw error.startupFailure
        } catch let error as KafkaError {
            throw CommandFailure.operation(
                "creating the topics of hub \(plan.hub.id) on \(servers): \(error); the topics created before it stay, and a run again creates only what is missing")
        }
        if !result.failed.isEmpty {
            throw CommandFailure.operation(notCreated(result, plan: plan, servers: servers, timeout: requestTimeout(settings)))
        }
        let created = Set(result.created)
        let existing = Set(result.existing)
        let drifts = try await retentionDrifts(plan, existing: result.existing, admin: admin)
        let driftByTopic = Dictionary(drifts.map { ($0.topic, $0) }) { first, _ in first }
        say("")
        for topic in plan.topics {
            if created.contains(topic.name) {
                report.results[topic.name] = "created"
                say("created  \(topic.name)  retention \(topic.retention)")
            } else if existing.contains(topic.name) {
                report.results[topic.name] = "exists"
                if let drift = driftByTopic[topic.name] {
                    report.actualRetention[topic.name] = drift.actual.map(\.description) ?? "unknown"
                    say("exists   \(topic.name)  \(drift.description)\(drift.isShorter ? ": records deleted sooner than planned" : "")")
                } else {
                    say("exists   \(topic.name)  retention \(topic.retention)")
                }
            }
        }
        say("\(result.created.count) created, \(result.existing.count) existed already")
        guard !drifts.isEmpty else { return }
        if fixRetention {
            try await fix(drifts, admin: admin, report: report)
        } else {
            let shorter = drifts.filter(\.isShorter).count
            printError(
                "warning: \(drifts.count) existing topic\(drifts.count == 1 ? "" : "s") keep another retention than the plan's "
                    + "(\(shorter) shorter): run again with --fix-retention to set the plan's")
        }
    }

    /// Why topics are missing after every attempt: the cluster, how many, which (the first
    /// few), the last error, and that a run again creates only those.
    private func notCreated(_ result: KafkaTopicCreation, plan: TopicPlan, servers: String, timeout: Duration) -> String {
        let missing = result.failed.keys.sorted()
        let errors = Set(result.failed.values.map { "\($0)" }).sorted()
        var text = "the cluster at \(servers) did not create \(missing.count) of the \(plan.topics.count) topics of hub \(plan.hub.id)"
        text += " after \(result.attempts) attempt\(result.attempts == 1 ? "" : "s")"
        text += " (\(result.requests) requests of at most \(Self.batchSize) topics, each given \(timeout)): "
        text += missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
        text += "; last error: \(errors.prefix(3).joined(separator: "; ")). "
        text += "\(result.created.count) were created and \(result.existing.count) existed: they stay, and a run again creates only the \(missing.count) missing."
        if result.created.isEmpty {
            // Said only when the cluster created nothing at all: a cluster that never answers
            // CreateTopics may be librdkafka's embedded one (issue 16: this was said of every
            // timeout, also on a real cluster that was merely slow).
            text += " A cluster that never answers CreateTopics, as librdkafka's embedded one (`docrelay broker`), needs its topics from `docrelay broker --provision <directory>`."
        }
        return text
    }

    /// The existing topics of `plan` whose retention differs from the plan's. A cluster that
    /// cannot say (no DescribeConfigs, not authorised) is reported; with --fix-retention that
    /// is a failure.
    private func retentionDrifts(_ plan: TopicPlan, existing: [String], admin: KafkaAdmin) async throws -> [RetentionDrift] {
        guard !existing.isEmpty else { return [] }
        do {
            return RetentionDrift.of(plan, existing: try await admin.describeTopicConfigs(existing))
        } catch let error as KafkaError {
            if fixRetention {
                throw CommandFailure.operation("reading the retention of the existing topics: \(error)")
            }
            printError("warning: the retention of the \(existing.count) existing topics was not checked: \(error)")
            return []
        }
    }

    /// Sets the plan's retention on each topic of `drifts`, keeping their other settings.
    private func fix(_ drifts: [RetentionDrift], admin: KafkaAdmin, report: ProvisionReport) async throws {
        var changes: [String: [String: String]] = [:]
        for drift in drifts { changes[drift.topic] = [TopicPlan.retentionConfig: drift.planned.configValue] }
        let refused: [String: KafkaError]
        do {
            refused = try await admin.alterTopicConfigs(changes)
        } catch let error as KafkaError {
            throw CommandFailure.operation("changing the retention of \(drifts.count) topics: \(error)")
        }
        for drift in drifts where refused[drift.topic] == nil {
            report.results[drift.topic] = "fixed"
            say("fixed    \(drift.topic)  retention \(drift.actual.map(\.description) ?? "unknown") -> \(drift.planned)")
        }
        guard refused.isEmpty else {
            throw CommandFailure.operation(refused.sorted { $0.key < $1.key }.map { "\($0.value)" }.joined(separator: "\n"))
        }
    }

    // MARK: What to provision

    /// The directory, hub and connection the options name.
    struct Target {
        let source: String
        let directory: Directory
        let hubID: String
        let prefix: String
        let retryTiers: [RetryTier]
        let retention: RetentionPolicy
        let relayGroup: String?
        let connection: HubConnection?
        let connectionFile: String
        let kafka: KafkaConnectionOptions

        /// The connection's bootstrap servers (the options' first).
        func bootstrap() throws -> String {
            if let given = kafka.bootstrapServers { return given }
            guard let connection else {
                throw CommandFailure.configuration("option --bootstrap-servers: the hub has no Kafka connection in \(connectionFile)")
            }
            return connection.bootstrap
        }

        /// Kafka settings: the hub's connection (its properties file read), or the options'.
        func settings() throws -> KafkaSettings {
            if let given = kafka.bootstrapServers { return try kafka.settings(bootstrap: given) }
            guard let connection else {
                throw CommandFailure.configuration("option --bootstrap-servers: the hub has no Kafka connection in \(connectionFile)")
            }
            var settings: KafkaSettings
            do {
                settings = try DaemonSetup.kafkaSettings(connection, configurationPath: connectionFile)
            } catch {
                throw CommandFailure.configuration("\(error)")
            }
            let extra = try kafka.settings(bootstrap: connection.bootstrap)
            settings.properties.merge(extra.properties) { _, given in given }
            settings.connectTimeout = extra.connectTimeout
            return settings
        }
    }

    func resolveTarget() throws -> Target {
        if let config {
            let configuration: RelayConfiguration
            let directory: Directory
            do {
                configuration = try RelayConfiguration.load(contentsOf: config)
                directory = try Directory.load(contentsOf: configuration.directoryPath)
            } catch {
                throw CommandFailure.configuration("\(error)")
            }
            if let hub, hub != configuration.hubID {
                throw CommandFailure.configuration(
                    "option --hub \(hub): \(config) is the configuration of hub \(configuration.hubID); use --directory for another hub")
            }
            let connection = configuration.kafka ?? directory.hub(id: configuration.hubID)?.connection
            return Target(
                source: config, directory: directory, hubID: configuration.hubID,
                prefix: topicPrefix ?? connection?.topicPrefix ?? HubConnection.defaultTopicPrefix,
                retryTiers: configuration.retryTiers, retention: configuration.retention.policy,
                relayGroup: configuration.consumerGroup, connection: connection,
                connectionFile: configuration.kafka == nil ? configuration.directoryPath : config, kafka: kafka)
        }
        let path = directory ?? ""
        let loaded: Directory
        do {
            loaded = try Directory.load(contentsOf: path)
        } catch {
            throw CommandFailure.configuration("\(error)")
        }
        let hubs = loaded.hubs.map(\.id)
        guard let hubID = hub ?? (hubs.count == 1 ? hubs.first : nil) else {
            throw CommandFailure.configuration("option --hub: \(path) has several hubs (\(hubs.joined(separator: ", "))): say which to provision")
        }
        let connection = loaded.hub(id: hubID)?.connection
        return Target(
            source: path, directory: loaded, hubID: hubID,
            prefix: topicPrefix ?? connection?.topicPrefix ?? HubConnection.defaultTopicPrefix,
            retryTiers: RetryTier.defaults, retention: RetentionPolicy(), relayGroup: nil, connection: connection,
            connectionFile: path, kafka: kafka)
    }
}
