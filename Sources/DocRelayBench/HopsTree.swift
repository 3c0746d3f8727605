import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging

/// The four hubs of one `docrelay-bench hops` measurement, made in this process (not timed):
/// an embedded cluster (1 broker) per hub; a development PKI (an RSA-2048 CA, an ECDSA P-256
/// relay key per hub, RSA-2048 keys for the agencies, as in `RelayHub`); a `directory.yaml`
/// declaring the tree of `HopsTopology` with each hub's own bootstrap and the benchmark's
/// librdkafka properties under `kafka.properties`, every hub and agency bound by the SHA-256 of
/// its certificate; one `<hub>.yaml` per relay with the settings of `RelayHub.hubYAML`; and on
/// each cluster every topic the directory implies for its hub (`TopicPlan`). Files go to a
/// temporary folder, removed by `removeFiles()`.
final class HopsTree: Sendable {
    let folder: URL
    let topics = TopicNames()
    private let clusters: [String: EmbeddedKafkaCluster]
    private let identities: [String: SigningIdentity]

    /// `kafkaProperties`: librdkafka properties of every hub's connection in the directory, so
    /// of every relay's clients (`RelayMeasurement.mockFetchWait` in `make bench`).
    init(kafkaProperties: [String: String], logger: Logger) throws {
        var clusters: [String: EmbeddedKafkaCluster] = [:]
        for hub in HopsTopology.hubs {
            clusters[hub.id] = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        }
        self.clusters = clusters
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("docrelay-bench-hops-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("hubs"), withIntermediateDirectories: true)

        let now = Date()
        let year: TimeInterval = 365 * 86_400
        let caKey = try PrivateKey.generate(.rsa(bits: 2048))
        let ca = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Bench CA", organization: "DocRelay", key: caKey,
            validFrom: now.addingTimeInterval(-3_600), validFor: 10 * year)
        try Self.write(ca.pem, to: folder.appendingPathComponent("ca.pem"))
        var hubCertificates: [String: Certificate] = [:]
        for hub in HopsTopology.hubs {
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: "hub:\(hub.id)", organization: "DocRelay hub \(hub.id)", subjectKey: key, issuer: ca,
                issuerKey: caKey, validFrom: now.addingTimeInterval(-3_600), validFor: year)
            try Self.write(certificate.pem, to: folder.appendingPathComponent("hubs/\(hub.id).pem"))
            try Self.write(key.pem, to: folder.appendingPathComponent("hubs/\(hub.id).key"))
            hubCertificates[hub.id] = certificate
        }
        let agencies = HopsTopology.agencies
        let keys = try RelayHub.parallelMap(agencies.indices) { _ in try PrivateKey.generate(.rsa(bits: 2048)) }
        var identities: [String: SigningIdentity] = [:]
        for (agency, key) in zip(agencies, keys) {
            let certificate = try DevelopmentPKI.issue(
                commonName: agency.code, organization: agency.name, subjectKey: key, issuer: ca, issuerKey: caKey,
                validFrom: now.addingTimeInterval(-3_600), validFor: year)
            identities[agency.code] = try SigningIdentity(certificate: certificate, key: key)
        }
        self.identities = identities

        try Self.write(
            Self.directory(
                bootstrap: clusters.mapValues(\.bootstrapServers), properties: kafkaProperties,
                hubCertificates: hubCertificates, agencyCertificates: identities.mapValues(\.certificate)),
            to: folder.appendingPathComponent("directory.yaml"))
        for hub in HopsTopology.hubs {
            try Self.write(Self.hubYAML(hub.id), to: URL(fileURLWithPath: configurationPath(hub.id)))
        }
        for hub in HopsTopology.hubs {
            try createTopics(of: hub.id)
        }
    }

    /// The cluster of hub `id`.
    func cluster(_ id: String) throws(BenchFailure) -> EmbeddedKafkaCluster {
        guard let cluster = clusters[id] else { throw BenchFailure("no hub \(id) in the benchmark's tree") }
        return cluster
    }

    /// The signing identity of agency `code`.
    func identity(_ code: String) throws(BenchFailure) -> SigningIdentity {
        guard let identity = identities[code] else { throw BenchFailure("no agency \(code) in the benchmark's tree") }
        return identity
    }

    func configurationPath(_ hubID: String) -> String {
        folder.appendingPathComponent("\(hubID).yaml").path
    }

    /// Relay `hubID` as `docrelay relay --config <hub>.yaml` would build it.
    func relaySetup(_ hubID: String) throws -> RelaySetup {
        try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: configurationPath(hubID)))
    }

    /// The retry topics of every hub (the same tiers everywhere).
    var retryTopics: [String] { RelayHub.tiers.map { "\(topics.prefix).retry.\($0)" } }

    func removeFiles() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Every topic the directory implies for `hubID` (the mock cluster cannot create topics on
    /// request): the empty ones small, events as in `RelayHub`.
    private func createTopics(of hubID: String) throws {
        let setup = try relaySetup(hubID)
        let plan = try TopicPlan(directory: setup.directory.current, hubID: hubID, retryTiers: setup.configuration.retryTiers)
        let cluster = try cluster(hubID)
        for topic in plan.topics {
            let partitions = switch topic.role {
            case .outbox, .inbox, .transit: HopsWorkload.partitions
            case .retry, .deadLetters, .ledger: HopsWorkload.quietPartitions
            case .events: HopsWorkload.eventPartitions
            }
            try cluster.createTopic(topic.name, partitions: partitions)
        }
    }

    /// The directory (docs/directory.md): the tree with each hub's cluster and `properties`,
    /// each hub's relay certificate and each agency's bound by fingerprint.
    static func directory(
        bootstrap: [String: String], properties: [String: String], hubCertificates: [String: Certificate],
        agencyCertificates: [String: Certificate]
    ) -> String {
        var lines = ["hubs:"]
        for hub in HopsTopology.hubs {
            lines += ["  - id: \"\(hub.id)\"", "    name: \"\(hub.name)\""]
            if let parent = hub.parent { lines.append("    parent: \"\(parent)\"") }
            lines += ["    kafka:", "      bootstrap: \"\(bootstrap[hub.id] ?? "")\""]
            if !properties.isEmpty {
                lines.append("      properties:")
                lines += properties.sorted { $0.key < $1.key }.map { "        \($0.key): \"\($0.value)\"" }
            }
            lines += ["    certificates:", "      - sha256: \"\(hubCertificates[hub.id]?.sha256Fingerprint ?? "")\""]
        }
        lines.append("agencies:")
        for agency in HopsTopology.agencies {
            lines += [
                "  - code: \"\(agency.code)\"",
                "    name: \"\(agency.name)\"",
                "    hub: \"\(agency.hub)\"",
                "    certificates:",
                "      - sha256: \"\(agencyCertificates[agency.code]?.sha256Fingerprint ?? "")\"",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One relay's configuration: what `RelayHub.hubYAML` gives the single hub (defaults but
    /// the session timeout and the retry tiers); the Kafka connection is the directory's.
    static func hubYAML(_ hubID: String) -> String {
        """
        hub: \(hubID)
        instance: bench
        directory: directory.yaml
        trust:
          anchors: [ca.pem]
        identity:
          certificate: hubs/\(hubID).pem
          key: hubs/\(hubID).key
        consumer:
          session-timeout: 6s
        retry:
          tiers: [\(RelayHub.tiers.joined(separator: ", "))]

        """
    }

    private static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }
}
