public import DocRelayCore
public import DocRelayKafka
public import DocRelaySigning
public import Foundation

/// What the relay's and the agent's setups read alike from their configuration files: the
/// trust (a reloadable `TrustSource`), the signing identity, the Kafka settings of a hub connection. Every failure is
/// a `ConfigurationError` naming the file and key.
public enum DaemonSetup {
    /// The trust of a configuration's `trust:` files, reloadable (`TrustSource`); errors name
    /// the configuration file, the key (`trust.anchors`, `trust.crls`, ...) and the PEM file.
    public static func trustSource(
        anchors: [String], intermediates: [String], crls: [String], configurationPath: String, now: Date = Date()
    ) throws(ConfigurationError) -> TrustSource {
        try TrustSource(
            files: TrustSource.Files(anchors: anchors, intermediates: intermediates, crls: crls, configurationPath: configurationPath),
            now: now)
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
