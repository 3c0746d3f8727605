import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation

/// One hub for relay tests: an embedded Kafka in this process (so the test can create topics
/// and take brokers down), a development PKI and directory written by `docrelay pki init`, a
/// `hub.yaml`, and the real `docrelay relay` binary reaching the cluster over TCP.
final class RelayHarness: @unchecked Sendable {
    let cluster: EmbeddedKafkaCluster
    let folder: URL
    let agencies: [String]
    let tiers: [String]
    let topics = TopicNames()
    let configPath: String
    private(set) var relay: ChildProcess?
    private var identities: [String: SigningIdentity] = [:]

    /// `agencies` at the national hub; every topic the directory implies is created, except
    /// the `out` and inbox topics of `withoutAgencyTopics`, the inboxes of `withoutInbox` and the topics named in `withoutTopics` (retry, dead-letter
    /// or events topics). `extraConfiguration` is appended to hub.yaml (top-level keys); `crls`
    /// are hub.yaml's `trust.crls` (files in the harness's folder, written by the test).
    init(
        agencies: [String], withoutInbox: Set<String> = [], tiers: [String] = ["1s", "2s"], maxValueBytes: Int = 1_048_576,
        partitions: Int = 3, attemptTimeout: String = "3s", adminListen: String? = nil, extraConfiguration: String = "",
        workers: Int? = nil, withoutTopics: Set<String> = [], crls: [String] = [], subscriptionShards: Int? = nil,
        withoutAgencyTopics: Set<String> = []
    ) async throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-relay-\(UUID().uuidString)")
        self.agencies = agencies
        self.tiers = tiers
        let pki = try await runDocRelay(
            ["pki", "init", "--out", folder.path, "--hub", "national", "--bootstrap-servers", cluster.bootstrapServers]
                + agencies.flatMap { ["--agency", "\($0)@national"] })
        guard pki.exitCode == 0 else { throw HarnessError("pki init: \(pki.standardError)") }
        for code in agencies where !withoutAgencyTopics.contains(code) {
            try cluster.createTopic(topics.out(code), partitions: partitions)
            if !withoutInbox.contains(code) { try cluster.createTopic(topics.inbox(code), partitions: partitions) }
        }
        for tier in tiers where !withoutTopics.contains("docrelay.retry.\(tier)") {
            try cluster.createTopic("docrelay.retry.\(tier)", partitions: partitions)
        }
        if !withoutTopics.contains(topics.deadLetters) { try cluster.createTopic(topics.deadLetters, partitions: partitions) }
        if !withoutTopics.contains(topics.events) { try cluster.createTopic(topics.events, partitions: 12) }
        if !withoutTopics.contains(topics.accepted) { try cluster.createTopic(topics.accepted, partitions: partitions) }
        configPath = folder.appendingPathComponent("hub.yaml").path
        let yaml = """
            hub: national
            instance: relay-test
            directory: directory.yaml
            trust:
              anchors: [ca.pem]\(crls.isEmpty ? "" : "\n  crls: [\(crls.joined(separator: ", "))]")
            identity:
              certificate: hubs/national.pem
              key: hubs/national.key
            consumer:
              session-timeout: 6s\(workers.map { "\n  workers: \($0)" } ?? "")\(subscriptionShards.map { "\n  subscription-shards: \($0)" } ?? "")
            retry:
              tiers: [\(tiers.joined(separator: ", "))]
              attempt-timeout: \(attemptTimeout)
            limits:
              max-value-bytes: \(maxValueBytes)
            """ + (adminListen.map { "\nadmin:\n  listen: \($0)\n" } ?? "") + "\n" + extraConfiguration
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
    }

    /// Starts (or restarts) the relay process.
    func startRelay(logLevel: String = "warning") async throws {
        relay = try await ChildProcess(DocRelayBinary.path, ["relay", "--config", configPath, "--log-level", logLevel])
    }

    /// SIGTERM, then its exit.
    func stopRelay() async throws -> ProcessResult? {
        guard let relay else { return nil }
        relay.signal(SIGTERM)
        let result = try await relay.wait(upTo: .seconds(60))
        self.relay = nil
        return result
    }

    /// kill -9.
    func killRelay() async throws {
        guard let relay else { return }
        relay.signal(SIGKILL)
        _ = try await relay.wait(upTo: .seconds(20))
        self.relay = nil
    }

    func identity(_ code: String) throws -> SigningIdentity {
        if let known = identities[code] { return known }
        let identity = try agencyIdentity(code, pki: folder)
        identities[code] = identity
        return identity
    }

    /// A signed document from `from` to `to`, as the agency would publish it.
    func document(
        _ value: [UInt8], from: String, to: [String], id: String? = nil, signer: String? = nil
    ) throws -> KafkaProducerRecord {
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(id: id, from: from, to: to, contentType: "text/plain"),
            identity: try identity(signer ?? from))
        return KafkaProducerRecord(
            topic: topics.out(from), key: Array(signed.id.utf8), value: value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    func producer() throws -> KafkaProducer {
        try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
    }

    /// `count` signed documents between `agencies`, each to one to three others, with what each
    /// inbox should hold (inbox -> id -> value).
    func documents(_ count: Int, seed: UInt64) throws -> (records: [KafkaProducerRecord], expected: [String: [String: [UInt8]]]) {
        var random = SeededGenerator(seed: seed)
        var expected: [String: [String: [UInt8]]] = [:]
        var records: [KafkaProducerRecord] = []
        for index in 0..<count {
            let from = agencies[Int.random(in: 0..<agencies.count, using: &random)]
            let others = agencies.filter { $0 != from }.shuffled(using: &random)
            let to = Array(others.prefix(Int.random(in: 1...min(3, others.count), using: &random)))
            let value = Array("Văn bản \(index) từ \(from): ".utf8) + random.bytes(Int.random(in: 0...600, using: &random))
            let id = "doc-\(seed)-\(index)"
            records.append(try document(value, from: from, to: to, id: id))
            for code in to { expected[code, default: [:]][id] = value }
        }
        return (records, expected)
    }

    /// The documents (not acks) of every inbox, by inbox and id, with the offsets they came at
    /// (one per copy). Each inbox is read once from its beginning to its end as it is now,
    /// without a consumer group (`KafkaTopicReader`): a record is counted once, whatever the
    /// reader goes through. (A group's reader, used before, could count records twice after a
    /// rebalance of its own, or stop short at a count that included acks.) Call it once the
    /// relay is idle (`waitUntilIdle`): all it delivered is written by then.
    func inboxDocuments() async throws -> [String: [String: (value: [UInt8], offsets: [String])]] {
        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        var seen: [String: [String: (value: [UInt8], offsets: [String])]] = [:]
        for code in agencies {
            for record in try await reader.readAll(topics.inbox(code)) where record.header(HeaderName.kind) != "ack" {
                let offsets = (seen[code]?[record.stringKey]?.offsets ?? []) + ["\(record.partition)@\(record.offset)"]
                seen[code, default: [:]][record.stringKey] = (record.value, offsets)
            }
        }
        await reader.close()
        return seen
    }

    /// How the inboxes hold what `expected` says (inbox -> id -> value): deliveries expected,
    /// those missing, and those delivered more than once.
    func deliveryTally(_ expected: [String: [String: [UInt8]]]) async throws -> (deliveries: Int, missing: Int, twice: Int) {
        let deliveries = expected.values.reduce(0) { $0 + $1.count }
        let seen = try await inboxDocuments()
        var missing = 0
        var repeated: [String] = []
        for (inbox, documents) in expected {
            for id in documents.keys.sorted() {
                guard let got = seen[inbox]?[id] else { missing += 1; continue }
                if got.offsets.count > 1 { repeated.append("\(inbox) \(id) at \(got.offsets.joined(separator: ", "))") }
            }
        }
        if !repeated.isEmpty {
            print("delivered more than once (\(repeated.count)), the first ten:\n\(repeated.prefix(10).joined(separator: "\n"))")
        }
        return (deliveries, missing, repeated.count)
    }

    /// Every record of `topic`, read from the start by a group of its own, waiting up to
    /// `limit` for `count` of them (and `quiet` more for any extra).
    func read(_ topics: [String], count: Int, within limit: Duration = .seconds(120), quiet: Duration = .seconds(2)) async throws -> [KafkaRecord] {
        let consumer = try KafkaConsumer(settings: .test(cluster, group: uniqueName("reader")), logger: testLogger)
        try consumer.subscribe(topics: topics)
        var records = try await consumer.take(count, within: limit)
        records += try await consumer.extra(during: quiet)
        await consumer.close()
        return records
    }

    deinit {
        if let relay { relay.signal(SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension KafkaRecord {
    var stringKey: String { String(decoding: key ?? [], as: UTF8.self) }
    func header(_ name: String) -> String? { headers.string(named: name) }
}

extension RelayHarness {
    /// How many records `topic` holds (the sum of its high watermarks; nothing is compacted).
    func count(_ topic: String) async throws -> Int64 {
        let admin = try KafkaAdmin(settings: cluster.settings, logger: testLogger)
        return try await admin.partitionOffsets(topic: topic).reduce(0) { $0 + $1.high - $1.low }
    }

    /// Waits until `topic` holds at least `count` records.
    func waitUntil(_ topic: String, holds count: Int64, within limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while try await self.count(topic) < count {
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(topic) holds \(try await self.count(topic)) records, not \(count), after \(limit)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

extension ChildProcess {
    /// Where a relay's admin port listens, from its log line "Admin server listening" (its
    /// `docrelay.admin.address`), waiting up to 30 s for it.
    func adminAddress() async throws -> String {
        for _ in 0..<300 {
            if let address = standardError.split(separator: "\n")
                .first(where: { $0.contains("Admin server listening") })
                .flatMap({ line in line.split(separator: " ").first { $0.hasPrefix("docrelay.admin.address=") } })
                .map({ String($0.dropFirst("docrelay.admin.address=".count)) }) {
                return address
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("the relay did not log its admin address: \(standardError)")
    }
}

/// A relay's log lines about assignments, revocations and the commits around them (each cut at
/// 400 characters), for a test's message when a document comes twice.
func relayRebalanceLines(_ log: String) -> String {
    log.split(separator: "\n")
        .filter { $0.contains("Partitions") || $0.contains("Commit") || $0.contains("Rebalance") || $0.contains("subscribed") }
        .map { String($0.prefix(400)) }
        .joined(separator: "\n")
}
