public import DocRelayCore
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
    public let trust: TrustStore
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
        let trust = try trustStore(
            anchors: configuration.anchorFiles, intermediates: configuration.intermediateFiles, crls: configuration.crlFiles,
            configurationPath: path)
        let identity = try signingIdentity(
            certificate: configuration.certificateFile, key: configuration.keyFile, configurationPath: path, owner: "the hub's")
        let connection = configuration.kafka ?? hub.connection
        let kafka = try Self.kafkaSettings(connection, configurationPath: configuration.kafka == nil ? configuration.directoryPath : path)
        var neighbourKafka: [String: KafkaSettings] = [:]
        let directory = store.current
        for neighbour in directory.children(of: hub) + (hub.parentID.flatMap(directory.hub(id:)).map { [$0] } ?? []) {
            neighbourKafka[neighbour.id] = try Self.kafkaSettings(neighbour.connection, configurationPath: configuration.directoryPath)
        }
        return RelaySetup(
            configuration: configuration, directory: store, hub: hub, trust: trust, identity: identity, kafka: kafka,
            connection: connection, neighbourKafka: neighbourKafka, topics: TopicNames(prefix: connection.topicPrefix))
    }

    /// The trust store of a configuration's `trust:` files.
    public static func trustStore(
        anchors: [String], intermediates: [String], crls: [String], configurationPath: String
    ) throws(ConfigurationError) -> TrustStore {
        do {
            return try TrustStore(
                anchors: try anchors.flatMap { try Certificate.load(pemFile: $0) },
                intermediates: try intermediates.flatMap { try Certificate.load(pemFile: $0) },
                crls: try crls.flatMap { try CertificateRevocationList.load(pemFile: $0) })
        } catch {
            throw ConfigurationError(path: configurationPath, key: "trust", expected: "readable PEM certificates and CRLs: \(error)")
        }
    }

    /// The signing identity of a configuration's `identity:` files; `owner` says whose.
    public static func signingIdentity(
        certificate: String, key: String, configurationPath: String, owner: String
    ) throws(ConfigurationError) -> SigningIdentity {
        do {
            return try SigningIdentity.load(certificateFile: certificate, keyFile: key)
        } catch {
            throw ConfigurationError(
                path: configurationPath, key: "identity", expected: "\(owner) certificate and its private key (PEM): \(error.message)")
        }
    }

    /// Kafka settings from a hub connection: its properties file read, every property checked by
    /// librdkafka (names and values), the file and key named when one is refused.
    public static func kafkaSettings(_ connection: HubConnection, configurationPath: String) throws(ConfigurationError) -> KafkaSettings {
        var properties: [String: String] = [:]
        if let file = connection.propertiesFile {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(path: configurationPath, key: "kafka.properties-file",
                                         expected: "a readable properties file, not \(file) (\(error.localizedDescription))")
            }
            do {
                properties = try KafkaPropertiesFile.parse(text, path: file)
            } catch {
                throw ConfigurationError(path: file, line: error.line, key: error.key, expected: error.expected)
            }
        }
        properties.merge(connection.properties) { _, explicit in explicit }
        do {
            try KafkaPropertiesFile.validate(properties)
        } catch {
            throw ConfigurationError(path: configurationPath, key: "kafka.properties",
                                     expected: "properties librdkafka accepts: \(error.message)")
        }
        return KafkaSettings(bootstrapServers: connection.bootstrapServers, properties: properties)
    }
}
