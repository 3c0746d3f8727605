import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `docrelay broker`: an embedded development Kafka (librdkafka's mock cluster) on 127.0.0.1,
/// running until SIGINT or SIGTERM.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded development Kafka and print its bootstrap address.",
        discussion: """
            The broker is librdkafka's mock cluster: the Kafka protocol over TCP, in memory, \
            keeping at most about 5 MiB per partition. For development and tests, not production.
            """)

    @Option(help: "Number of brokers (1 to 10).")
    var brokers: Int = 1

    @Option(help: "Write the bootstrap address to this file once listening (removed at exit).")
    var bootstrapFile: String?

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("Create a topic at start, name[:partitions]. Repeatable.", valueName: "name[:partitions]"))
    var topics: [String] = []

    @Option(help: ArgumentHelp(
        "Create at start the topics this directory implies (`docrelay provision`'s plan), for every hub or --hub.",
        valueName: "directory.yaml"))
    var provision: String?

    @Option(help: ArgumentHelp("With --provision: only this hub's topics.", valueName: "id"))
    var hub: String?

    @Option(help: "With --provision: partitions of each topic (1 to 1000).")
    var partitions: Int = 3

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...10).contains(brokers) else {
            throw ValidationError("option --brokers \(brokers): expected 1 to 10")
        }
        guard provision != nil || hub == nil else {
            throw ValidationError("option --hub: only with --provision")
        }
        guard (1...1000).contains(partitions) else {
            throw ValidationError("option --partitions \(partitions): expected 1 to 1000")
        }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.broker")
        var topicSpecs = try topics.map(Self.parseTopic)
        let plans = try provisionPlans()
        var named = Set(topicSpecs.map(\.0))
        for topic in plans.flatMap(\.topics) where named.insert(topic.name).inserted {
            topicSpecs.append((topic.name, partitions))
        }
        let cluster: EmbeddedKafkaCluster
        do {
            cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
            for (name, partitions) in topicSpecs {
                try cluster.createTopic(name, partitions: partitions, replicationFactor: min(brokers, 3))
            }
        } catch {
            throw CommandFailure.operation("cannot start the embedded broker: \(error)")
        }
        if let provision {
            let count = Set(plans.flatMap { $0.topics.map(\.name) }).count
            print("Provisioned \(count) topics of hub\(plans.count == 1 ? "" : "s") \(plans.map(\.hub.id).joined(separator: ", ")) from \(provision)")
        }
        if let bootstrapFile {
            do {
                try Self.writeAtomically(cluster.bootstrapServers + "\n", to: bootstrapFile)
            } catch {
                throw CommandFailure.configuration("option --bootstrap-file \(bootstrapFile): cannot write: \(error)")
            }
        }
        print("Embedded Kafka (\(brokers) broker\(brokers == 1 ? "" : "s")) listening at \(cluster.bootstrapServers)")
        print("Try: kcat -b \(cluster.bootstrapServers) -L    Stop with Ctrl-C.")
        fflush(nil)

        let service = EmbeddedBrokerService(cluster: cluster)
        let group = ServiceGroup(configuration: .init(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
        print("Embedded Kafka stopped.")
    }

    /// The topic plans of `--provision` (every hub of the directory, or `--hub`).
    func provisionPlans() throws -> [TopicPlan] {
        guard let provision else { return [] }
        let directory: Directory
        do {
            directory = try Directory.load(contentsOf: provision)
        } catch {
            throw CommandFailure.configuration("option --provision: \(error)")
        }
        guard let hub else { return TopicPlan.allHubs(of: directory) }
        do {
            return [try TopicPlan(directory: directory, hubID: hub)]
        } catch {
            throw CommandFailure.configuration("option --hub: \(provision): \(error)")
        }
    }

    static func parseTopic(_ text: String) throws -> (String, Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, parts.count <= 2 else {
            throw CommandFailure.configuration("option --topic \(text): expected name[:partitions]")
        }
        guard parts.count == 2 else { return (String(name), 1) }
        guard let partitions = Int(parts[1]), (1...1000).contains(partitions) else {
            throw CommandFailure.configuration("option --topic \(text): partitions must be a number from 1 to 1000")
        }
        return (String(name), partitions)
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}

/// Keeps the embedded cluster alive until graceful shutdown.
struct EmbeddedBrokerService: Service {
    let cluster: EmbeddedKafkaCluster

    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(cluster) {}
    }
}
