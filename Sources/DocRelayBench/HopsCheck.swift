import DocRelay
import DocRelayCore
import DocRelayKafka
import Logging

/// What must hold after a `docrelay-bench hops` run, once the relays stopped: the recipient's
/// inbox holds every document of both paths exactly once (no ack: it sent nothing), each with
/// one `dr-hop` per hub of its path, naming them in order; each sender's inbox holds exactly one
/// `delivered` ack per document it sent; on every hub's cluster the dead-letter and retry topics
/// are empty.
struct HopsCheck: Sendable {
    let tree: HopsTree
    let documents: [HopsDocuments]
    let logger: Logger

    func run() async throws {
        try await checkRecipient()
        for path in documents {
            try await checkAcks(path)
        }
        for hub in HopsTopology.hubs {
            let bootstrap = try tree.cluster(hub.id).bootstrapServers
            let refused = try await RelayMeasurement.totals(
                bootstrap, [tree.topics.deadLetters] + tree.retryTopics, partitions: HopsWorkload.quietPartitions)
            if let (topic, count) = refused.first(where: { $0.value != 0 }) {
                throw BenchFailure("\(topic) of hub \(hub.id) holds \(count) records: a relay refused or retried documents")
            }
        }
    }

    /// Every document once, by its path's hubs.
    private func checkRecipient() async throws {
        guard let recipient = documents.first?.path.recipient else { return }
        var expectedHops: [String: [String]] = [:]
        for path in documents {
            for id in path.ids { expectedHops[id] = path.path.hubs }
        }
        let records = try await readAll(tree.topics.inbox(recipient.code), hub: recipient.hub)
        var seen: Set<String> = []
        for record in records {
            let id = String(decoding: record.key ?? [], as: UTF8.self)
            guard record.headers.string(named: HeaderName.kind) != "ack" else {
                throw BenchFailure("\(record.topic) holds an ack (\(id)), though its agency sent nothing")
            }
            guard let hubs = expectedHops[id] else { throw BenchFailure("\(record.topic) holds an unknown document \(id)") }
            guard seen.insert(id).inserted else { throw BenchFailure("\(record.topic) holds \(id) twice") }
            let hops = record.headers.values(named: HeaderName.hop).map { value in
                String(String(decoding: value ?? [], as: UTF8.self).split(separator: "/").first ?? "")
            }
            guard hops == hubs else {
                throw BenchFailure(
                    "\(id) passed \(hops.joined(separator: " → ")) (dr-hop), expected \(hubs.joined(separator: " → "))")
            }
        }
        guard seen.count == expectedHops.count else {
            throw BenchFailure("\(tree.topics.inbox(recipient.code)) holds \(seen.count) of the \(expectedHops.count) documents")
        }
    }

    /// One `delivered` ack per document of `path` in its sender's inbox, and nothing else.
    private func checkAcks(_ path: HopsDocuments) async throws {
        let sender = path.path.sender
        let topic = tree.topics.inbox(sender.code)
        var owed = Set(path.ids)
        for record in try await readAll(topic, hub: sender.hub) {
            guard let ack = AckMessage.decode(record.value), record.headers.string(named: HeaderName.kind) == "ack" else {
                throw BenchFailure("\(topic) holds a record that is not an ack")
            }
            guard ack.outcome == .delivered, ack.recipient == path.path.recipient.code else {
                throw BenchFailure("\(topic): the ack of \(ack.ref) says \(ack.outcome.rawValue) to \(ack.recipient)")
            }
            guard owed.remove(ack.ref) != nil else { throw BenchFailure("\(topic): an ack of \(ack.ref) twice, or unknown") }
        }
        guard owed.isEmpty else { throw BenchFailure("\(topic): \(owed.count) documents were never acked") }
    }

    private func readAll(_ topic: String, hub: String) async throws -> [KafkaRecord] {
        let reader = try await KafkaTopicReader.connect(settings: try tree.cluster(hub).settings, logger: logger)
        do {
            let records = try await reader.readAll(topic)
            await reader.close()
            return records
        } catch {
            await reader.close()
            throw error
        }
    }
}
