public import DocRelayCore
public import DocRelayKafka
public import DocRelaySigning
import Foundation

/// What the relay's and the agent's setups read alike from their configuration files: the
/// trust store, the signing identity, the Kafka settings of a hub connection. Every failure is
/// a `ConfigurationError` naming the file and key.
public enum DaemonSetup {
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
