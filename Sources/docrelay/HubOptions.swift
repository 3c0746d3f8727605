import ArgumentParser
import DocRelay
import DocRelayDaemon
import DocRelayKafka
import DocRelayCore

/// Where an operator's command (`dlq`, `trace`) finds its hub: the relay's configuration
/// (`--config hub.yaml`: its Kafka connection, topic prefix, retry tiers, directory and trust
/// anchors), or a Kafka connection (`--bootstrap-servers`, `-F`, `-X`) and `--topic-prefix`.
/// `-F`, `-X` and `--connect-timeout` apply to either (e.g. an operator's own credentials).
struct HubOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The relay's configuration (hub.yaml): its Kafka, topic prefix, retry tiers, directory and trust anchors.", valueName: "file"))
    var config: String?

    @OptionGroup var kafka: KafkaConnectionOptions

    @Option(help: "The hub's topic prefix, without --config (default: docrelay).")
    var topicPrefix: String?

    /// The hub, or a usage error (exit 2) naming the option or the configuration's file and key.
    func resolve() throws -> OperatorHub {
        if let config {
            guard kafka.bootstrapServers == nil else {
                throw CommandFailure.configuration(
                    "options --config and --bootstrap-servers: give one of them (the configuration names its Kafka)")
            }
            guard topicPrefix == nil else {
                throw CommandFailure.configuration(
                    "option --topic-prefix: with --config the prefix is the configuration's (kafka.topic-prefix, or the hub's in the directory)")
            }
            var hub: OperatorHub
            do {
                hub = try OperatorHub.load(configurationAt: config)
            } catch {
                throw CommandFailure.configuration("\(error)")
            }
            let extra = try kafka.settings(bootstrap: hub.kafka.bootstrapServers.joined(separator: ","))
            hub.kafka.properties.merge(extra.properties) { _, given in given }
            hub.kafka.connectTimeout = extra.connectTimeout
            return hub
        }
        guard let bootstrap = kafka.bootstrapServers else {
            throw CommandFailure.configuration(
                "options --config / --bootstrap-servers: give the relay's configuration (hub.yaml) or a Kafka bootstrap address")
        }
        let prefix = topicPrefix ?? "docrelay"
        guard !prefix.isEmpty, !prefix.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw CommandFailure.configuration("option --topic-prefix '\(prefix)': expected a topic name prefix such as docrelay")
        }
        return OperatorHub(kafka: try kafka.settings(bootstrap: bootstrap), topics: TopicNames(prefix: prefix))
    }

    /// Every hub to read: with a configuration whose directory names several hubs, this hub
    /// first, then every other hub of the directory on its own cluster (or prefix), so that
    /// `trace` follows a document across hubs. Otherwise this one.
    func resolveAll() throws -> [OperatorHub] {
        let first = try resolve()
        guard let directory = first.directory, directory.hubs.count > 1, let path = first.configuration?.directoryPath else {
            return [first]
        }
        var hubs = [first]
        var seen: Set<String> = ["\(first.kafka.bootstrapServers.sorted()) \(first.topics.prefix)"]
        for other in directory.hubs where other.id != first.hubID {
            var settings: KafkaSettings
            do {
                settings = try DaemonSetup.kafkaSettings(other.connection, configurationPath: path)
            } catch {
                throw CommandFailure.configuration("\(error)")
            }
            settings.connectTimeout = first.kafka.connectTimeout
            let key = "\(settings.bootstrapServers.sorted()) \(other.connection.topicPrefix)"
            guard seen.insert(key).inserted else { continue }
            var hub = OperatorHub(kafka: settings, topics: TopicNames(prefix: other.connection.topicPrefix))
            hub.hubID = other.id
            hubs.append(hub)
        }
        return hubs
    }
}
