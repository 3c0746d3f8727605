import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation

/// Three hubs on three clusters, as `docrelay pki init` draws them by default: `national` (the
/// root, ministries), `h58` (Tiền Giang) and `h53` (Tây Ninh), each with its agencies at levels 1
/// to 4, an embedded Kafka of its own in this process and the real `docrelay relay` binary.
final class TreeHarness: @unchecked Sendable {
    static let hubs = ["national", "h58", "h53"]
    /// Each agency's home hub (the sample directory of `pki init`).
    static let homes: [String: String] = [
        "000.00.00.G22": "national", "000.00.00.G17": "national",
        "000.00.00.H58": "h58", "000.00.12.H58": "h58", "000.07.12.H58": "h58",
        "000.00.00.H53": "h53", "000.00.32.H53": "h53", "000.21.32.H53": "h53",
    ]

    let clusters: [String: EmbeddedKafkaCluster]
    let folder: URL
    let topics = TopicNames()
    let tiers: [String]
    private(set) var relays: [String: ChildProcess] = [:]
    private var identities: [String: SigningIdentity] = [:]

    init(tiers: [String] = ["1s", "2s"], attemptTimeout: String = "3s", holdDown: String = "2s") async throws {
        var clusters: [String: EmbeddedKafkaCluster] = [:]
        for hub in Self.hubs { clusters[hub] = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger) }
        self.clusters = clusters
        self.tiers = tiers
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-tree-\(UUID().uuidString)")
        let pki = try await runDocRelay(
            ["pki", "init", "--out", folder.path] + Self.hubs.flatMap { ["--hub-bootstrap", "\($0)=\(clusters[$0]!.bootstrapServers)"] })
        guard pki.exitCode == 0 else { throw HarnessError("pki init: \(pki.standardError)") }
        for hub in Self.hubs {
            let cluster = clusters[hub]!
            for (code, home) in Self.homes where home == hub {
                try cluster.createTopic(topics.out(code), partitions: 2)
                try cluster.createTopic(topics.inbox(code), partitions: 2)
            }
            try cluster.createTopic(topics.hub(hub), partitions: 3)
            for tier in tiers { try cluster.createTopic("docrelay.retry.\(tier)", partitions: 3) }
            try cluster.createTopic(topics.deadLetters, partitions: 2)
            try cluster.createTopic(topics.events, partitions: 6)
            try cluster.createTopic(topics.accepted, partitions: 2)
            let yaml = """
                hub: \(hub)
                instance: \(hub)-relay
                directory: directory.yaml
                trust: { anchors: [ca.pem] }
                identity: { certificate: hubs/\(hub).pem, key: hubs/\(hub).key }
                consumer: { session-timeout: 6s }
                retry:
                  tiers: [\(tiers.joined(separator: ", "))]
                  attempt-timeout: \(attemptTimeout)
                  neighbour-hold-down: \(holdDown)
                """
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath(hub)))
        }
    }

    func configPath(_ hub: String) -> String { folder.appendingPathComponent("\(hub).yaml").path }

    func startRelays(logLevel: String = "warning") async throws {
        for hub in Self.hubs {
            relays[hub] = try await ChildProcess(DocRelayBinary.path, ["relay", "--config", configPath(hub), "--log-level", logLevel])
        }
    }

    func stopRelays() async throws -> [String: ProcessResult] {
        var results: [String: ProcessResult] = [:]
        for (hub, relay) in relays { relay.signal(SIGTERM); results[hub] = try await relay.wait(upTo: .seconds(60)) }
        relays = [:]
        return results
    }

    func cluster(of code: String) -> EmbeddedKafkaCluster { clusters[Self.homes[code]!]! }

    func identity(_ code: String) throws -> SigningIdentity {
        if let known = identities[code] { return known }
        let identity = try agencyIdentity(code, pki: folder)
        identities[code] = identity
        return identity
    }

    /// Publishes a signed document to its sender's `out` topic on the sender's home cluster.
    func send(_ value: [UInt8], from: String, to: [String], id: String) async throws {
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(id: id, from: from, to: to, contentType: "text/plain"), identity: try identity(from))
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster(of: from).settings), logger: testLogger)
        _ = try await producer.send(KafkaProducerRecord(
            topic: topics.out(from), key: Array(signed.id.utf8), value: value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
        await producer.close()
    }

    /// How many records `topic` holds on `cluster`.
    func count(_ topic: String, on cluster: EmbeddedKafkaCluster) async throws -> Int64 {
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        return try await admin.partitionOffsets(topic: topic).reduce(0) { $0 + $1.high - $1.low }
    }

    /// Every record of an agency's inbox on its home cluster (waiting for at least `count`).
    func inbox(_ code: String, atLeast count: Int, within limit: Duration = .seconds(120)) async throws -> [KafkaRecord] {
        try await read(topics.inbox(code), on: cluster(of: code), count: count, within: limit)
    }

    func read(_ topic: String, on cluster: EmbeddedKafkaCluster, count: Int, within limit: Duration = .seconds(120)) async throws -> [KafkaRecord] {
        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("tree-reader")), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        var records = try await consumer.take(count, within: limit)
        records += try await consumer.extra(during: .seconds(2))
        await consumer.close()
        return records
    }

    deinit {
        for relay in relays.values { relay.signal(SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// An agency's certificate and key as `docrelay pki init` wrote them into `pki`.
func agencyIdentity(_ code: String, pki folder: URL) throws -> SigningIdentity {
    try SigningIdentity.load(
        certificateFile: folder.appendingPathComponent("agencies/\(code).pem").path,
        keyFile: folder.appendingPathComponent("agencies/\(code).key").path)
}
