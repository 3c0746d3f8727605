import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging

/// The hub of one relay measurement, made in this process (not timed): an embedded cluster
/// (1 broker), a development PKI (an RSA-2048 CA; 20 agencies with RSA-2048 keys, as agencies'
/// document-signing certificates usually are; the hub's relay key ECDSA P-256), a directory
/// with one hub `national` whose agencies are those 20 (each bound by the SHA-256 of its
/// certificate, the hub by its own), every topic the relay uses, and a `hub.yaml` in a
/// temporary folder, removed by `removeFiles()`.
final class RelayHub: Sendable {
    let cluster: EmbeddedKafkaCluster
    let folder: URL
    let topics = TopicNames()
    /// Each agency's signing identity, in the order of `RelayWorkload.agencies`.
    let identities: [SigningIdentity]
    let configurationPath: String
    /// Partitions of each agency's out and in topic, of the retry tiers and dead letters.
    let agencyPartitions: Int

    /// Retry tiers of the hub (no record should ever reach them in a measurement).
    static let tiers = ["5s", "1m"]
    static let hubID = "national"

    /// `workers`: the relay's `consumer.workers`; `kafkaProperties`: librdkafka properties of
    /// the relay's clients. Both for diagnosis only: `make bench` runs the defaults.
    /// `agencyPartitions`: more for `backlog`, whose records of 1 MiB fit the mock only a few to
    /// a partition.
    init(
        workers: Int?, kafkaProperties: [String: String] = [:],
        agencyPartitions: Int = RelayWorkload.agencyPartitions, logger: Logger
    ) throws {
        self.agencyPartitions = agencyPartitions
        cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("docrelay-bench-relay-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        let now = Date()
        let year: TimeInterval = 365 * 86_400
        let caKey = try PrivateKey.generate(.rsa(bits: 2048))
        let ca = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Bench CA", organization: "DocRelay", key: caKey,
            validFrom: now.addingTimeInterval(-3_600), validFor: 10 * year)
        let hubKey = try PrivateKey.generate(.ecP256)
        let hubCertificate = try DevelopmentPKI.issue(
            commonName: "hub:\(Self.hubID)", organization: "DocRelay national hub", subjectKey: hubKey, issuer: ca,
            issuerKey: caKey, validFrom: now.addingTimeInterval(-3_600), validFor: year)
        // Twenty RSA-2048 keys take a second or two: make them on both cores.
        let keys = try Self.parallelMap(RelayWorkload.agencies.indices) { _ in try PrivateKey.generate(.rsa(bits: 2048)) }
        identities = try zip(RelayWorkload.agencies, keys).map { code, key in
            let certificate = try DevelopmentPKI.issue(
                commonName: code, organization: "Cơ quan \(code)", subjectKey: key, issuer: ca, issuerKey: caKey,
                validFrom: now.addingTimeInterval(-3_600), validFor: year)
            return try SigningIdentity(certificate: certificate, key: key)
        }

        try Self.write(ca.pem, to: folder.appendingPathComponent("ca.pem"))
        try Self.write(hubCertificate.pem, to: folder.appendingPathComponent("hub.pem"))
        try Self.write(hubKey.pem, to: folder.appendingPathComponent("hub.key"))
        try Self.write(
            Self.directory(bootstrap: cluster.bootstrapServers, hub: hubCertificate, agencies: identities),
            to: folder.appendingPathComponent("directory.yaml"))
        configurationPath = folder.appendingPathComponent("hub.yaml").path
        try Self.write(
            Self.hubYAML(workers: workers, bootstrap: cluster.bootstrapServers, kafkaProperties: kafkaProperties), to: URL(fileURLWithPath: configurationPath))

        for code in RelayWorkload.agencies {
            try cluster.createTopic(topics.out(code), partitions: agencyPartitions)
            try cluster.createTopic(topics.inbox(code), partitions: agencyPartitions)
        }
        for tier in Self.tiers { try cluster.createTopic("\(topics.prefix).retry.\(tier)", partitions: agencyPartitions) }
        try cluster.createTopic(topics.deadLetters, partitions: agencyPartitions)
        try cluster.createTopic(topics.events, partitions: RelayWorkload.eventPartitions)
        try cluster.createTopic(topics.accepted, partitions: agencyPartitions)
    }

    var inboxTopics: [String] { RelayWorkload.agencies.map(topics.inbox) }
    var outTopics: [String] { RelayWorkload.agencies.map(topics.out) }
    var retryTopics: [String] { Self.tiers.map { "\(topics.prefix).retry.\($0)" } }

    /// The relay as `docrelay relay --config hub.yaml` would build it.
    func relaySetup() throws -> RelaySetup {
        try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: configurationPath))
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The directory: hub `national` bound by its certificate, each agency by its own.
    static func directory(bootstrap: String, hub: Certificate, agencies: [SigningIdentity]) -> String {
        var lines = [
            "hubs:",
            "  - id: \"\(hubID)\"",
            "    kafka:",
            "      bootstrap: \"\(bootstrap)\"",
            "    certificates:",
            "      - sha256: \"\(hub.sha256Fingerprint)\"",
            "agencies:",
        ]
        for (code, identity) in zip(RelayWorkload.agencies, agencies) {
            lines += [
                "  - code: \"\(code)\"",
                "    name: \"Cơ quan \(code)\"",
                "    hub: \"\(hubID)\"",
                "    certificates:",
                "      - sha256: \"\(identity.certificate.sha256Fingerprint)\"",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The relay's configuration: defaults everywhere but the session timeout (the mock
    /// cluster's rejoin wait) and, for diagnosis, the worker count and Kafka properties.
    static func hubYAML(workers: Int?, bootstrap: String, kafkaProperties: [String: String]) -> String {
        var lines = [
            "hub: \(hubID)",
            "instance: bench",
            "directory: directory.yaml",
            "trust:",
            "  anchors: [ca.pem]",
            "identity:",
            "  certificate: hub.pem",
            "  key: hub.key",
            "consumer:",
            "  session-timeout: 6s",
        ]
        if let workers { lines.append("  workers: \(workers)") }
        if !kafkaProperties.isEmpty {
            lines += ["kafka:", "  bootstrap: \"\(bootstrap)\"", "  properties:"]
            lines += kafkaProperties.sorted { $0.key < $1.key }.map { "    \($0.key): \"\($0.value)\"" }
        }
        lines += [
            "retry:",
            "  tiers: [\(tiers.joined(separator: ", "))]",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// `transform` of every element, on both cores (results in order).
    static func parallelMap<T: Sendable>(
        _ indices: Range<Int>, threads: Int = max(ProcessStats.processorCount, 1),
        _ transform: @Sendable (Int) throws -> T
    ) throws -> [T] {
        let results = ParallelResults<T>(count: indices.count)
        let chunks = min(threads, max(indices.count, 1))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var index = indices.lowerBound + chunk
            while index < indices.upperBound {
                results.set(index - indices.lowerBound, Result { try transform(index) })
                index += chunks
            }
        }
        return try results.values()
    }
}

/// Results filled in by several threads, each slot by one.
///
/// `@unchecked Sendable`: each slot is written by exactly one thread, through a buffer
/// allocated once (no exclusivity check on a shared property), and read only after
/// `concurrentPerform` returned, which orders those writes before the reads.
private final class ParallelResults<T: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<T, any Error>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: Result<T, any Error>) {
        slots[index] = value
    }

    func values() throws -> [T] {
        try slots.map { slot in
            guard let slot else { throw BenchFailure("a parallel task left no result") }
            return try slot.get()
        }
    }
}
