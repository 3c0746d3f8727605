public import DocRelayCore
public import DocRelayDaemon
public import DocRelayKafka
public import DocRelaySigning
import Foundation

/// An agent configuration resolved into what the daemon runs with: the directory and this
/// agency's entry in it, the trust store that checks what it receives, the identity that signs
/// what it sends, the Kafka connection of its home hub and the topic names. Makes no network
/// call; every failure names the configuration file and key.
public struct AgentSetup: Sendable {
    public let configuration: AgentConfiguration
    public let directory: DirectoryStore
    public let agency: Agency
    /// The trust in force, reloaded on SIGHUP and every `trust.reload-every`
    /// (`TrustReloadService`): read `current` once per record or submission.
    public let trust: TrustSource
    public let identity: SigningIdentity
    public let kafka: KafkaSettings
    public let topics: TopicNames

    public static func resolve(_ configuration: AgentConfiguration) throws(ConfigurationError) -> AgentSetup {
        let path = configuration.path
        let store = try DirectoryStore(contentsOf: configuration.directoryPath)
        let directory = store.current
        guard let agency = directory.agency(named: configuration.agency) else {
            throw ConfigurationError(path: path, key: "agency",
                                     expected: "an agency of \(configuration.directoryPath), not '\(configuration.agency)'")
        }
        guard let hub = directory.homeHub(of: agency.code) else {
            throw ConfigurationError(path: path, key: "agency", expected: "an agency with a home hub in \(configuration.directoryPath)")
        }
        let trust = try DaemonSetup.trustSource(
            anchors: configuration.anchorFiles, intermediates: configuration.intermediateFiles, crls: configuration.crlFiles,
            configurationPath: path)
        let identity = try DaemonSetup.signingIdentity(
            certificate: configuration.certificateFile, key: configuration.keyFile, configurationPath: path, owner: "the agency's")
        // What it signs would be refused as `sender` by the relay: say so now.
        guard directory.isBound(
            agency.code, fingerprint: identity.certificate.sha256Fingerprint, subject: identity.certificate.subject,
            issuer: identity.certificate.issuer) else {
            throw ConfigurationError(
                path: path, key: "identity.certificate",
                expected: "a certificate bound to \(agency.code) in \(configuration.directoryPath), not \(identity.certificate.subject) (SHA-256 \(identity.certificate.sha256Fingerprint))")
        }
        let connection = configuration.kafka ?? hub.connection
        let kafka = try DaemonSetup.kafkaSettings(
            connection, configurationPath: configuration.kafka == nil ? configuration.directoryPath : path)
        return AgentSetup(
            configuration: configuration, directory: store, agency: agency, trust: trust, identity: identity, kafka: kafka,
            topics: TopicNames(prefix: connection.topicPrefix))
    }

    /// This agency's code.
    public var code: String { agency.code.rawValue }
}
