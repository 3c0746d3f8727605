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
        let trust: TrustStore
        do {
            trust = try TrustStore(
                anchors: try configuration.anchorFiles.flatMap { try Certificate.load(pemFile: $0) },
                intermediates: try configuration.intermediateFiles.flatMap { try Certificate.load(pemFile: $0) },
                crls: try configuration.crlFiles.flatMap { try CertificateRevocationList.load(pemFile: $0) })
        } catch {
            throw ConfigurationError(path: path, key: "trust", expected: "readable PEM certificates and CRLs: \(error)")
        }
        let identity: SigningIdentity
        do {
            identity = try SigningIdentity.load(certificateFile: configuration.certificateFile, keyFile: configuration.keyFile)
        } catch {
            throw ConfigurationError(path: path, key: "identity", expected: "the hub's certificate and its private key (PEM): \(error.message)")
        }
        let connection = configuration.kafka ?? hub.connection
        let kafka = try Self.kafkaSettings(connection, configurationPath: configuration.kafka == nil ? configuration.directoryPath : path)
        return RelaySetup(
            configuration: configuration, directory: store, hub: hub, trust: trust, identity: identity, kafka: kafka,
            topics: TopicNames(prefix: connection.topicPrefix))
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
