public import DocRelayCore
public import DocRelayDaemon
public import DocRelayKafka
public import DocRelaySigning
import Foundation

/// A relay configuration resolved into what the relay runs with: the directory, the hub, its
/// trust store and signing identity, the Kafka connection and topic names. Every failure is a
/// `ConfigurationError` naming the configuration file and key. Makes no network call.
public struct RelaySetup: Sendable {
    public let configuration: RelayConfiguration
    public let directory: DirectoryStore
    public let hub: Hub
    /// The trust in force, reloaded on SIGHUP and every `trust.reload-every`
    /// (`TrustReloadService`): read `current` once per record.
    public let trust: TrustSource
    /// The hub's certificate and key: acks are signed with it.
    public let identity: SigningIdentity
    public let kafka: KafkaSettings
    /// This hub's connection, as the configuration or the directory gives it.
    public let connection: HubConnection
    /// The Kafka settings of each neighbour hub (parent and children), from the directory.
    public let neighbourKafka: [String: KafkaSettings]
    public let topics: TopicNames

    public static func resolve(_ configuration: RelayConfiguration) throws(ConfigurationError) -> RelaySetup {
        let path = configuration.path
        let store: DirectoryStore
        do {
            store = try DirectoryStore(contentsOf: configuration.directoryPath)
        } catch {
            throw error
        }
        guard let hub = store.current.hub(id: configuration.hubID) else {
            let known = store.current.hubs.map(\.id).joined(separator: ", ")
            throw ConfigurationError(path: path, key: "hub",
                                     expected: "a hub of the directory (\(known)), not '\(configuration.hubID)'")
        }
        let trust = try DaemonSetup.trustSource(
            anchors: configuration.anchorFiles, intermediates: configuration.intermediateFiles, crls: configuration.crlFiles,
            configurationPath: path)
        let identity = try DaemonSetup.signingIdentity(
            certificate: configuration.certificateFile, key: configuration.keyFile, configurationPath: path, owner: "the hub's")
        let connection = configuration.kafka ?? hub.connection
        let kafka = try DaemonSetup.kafkaSettings(
            connection, configurationPath: configuration.kafka == nil ? configuration.directoryPath : path)
        var neighbourKafka: [String: KafkaSettings] = [:]
        let directory = store.current
        for neighbour in directory.children(of: hub) + (hub.parentID.flatMap(directory.hub(id:)).map { [$0] } ?? []) {
            neighbourKafka[neighbour.id] = try DaemonSetup.kafkaSettings(
                neighbour.connection, configurationPath: configuration.directoryPath)
        }
        return RelaySetup(
            configuration: configuration, directory: store, hub: hub, trust: trust, identity: identity, kafka: kafka,
            connection: connection, neighbourKafka: neighbourKafka, topics: TopicNames(prefix: connection.topicPrefix))
    }
}
