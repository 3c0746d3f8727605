import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// The signed documents of a relay measurement, as agencies publish them: each from one agency
/// to one other (`RelayWorkload.route`), `dr-content-type: application/octet-stream`, signed
/// with the sender's RSA-2048 key (~1 ms each, so on every core at once), in the sender's
/// `out` topic, keyed by `dr-id`.
struct RelayDocuments: SignedDocumentSource {
    let hub: RelayHub
    let workload: RelayWorkload
    private let values: SourceRecords

    init(hub: RelayHub, workload: RelayWorkload) {
        self.hub = hub
        self.workload = workload
        self.values = SourceRecords(size: workload.size)
    }

    static func id(_ index: Int) -> String { "bench-doc-\(index)" }

    /// Documents `range`, signed on every core.
    func sign(_ range: Range<Int>, created: Date) throws -> [KafkaProducerRecord] {
        let hub = hub
        let values = values
        return try RelayHub.parallelMap(range) { index in
            let (from, to) = RelayWorkload.route(index)
            let code = RelayWorkload.agencies[from]
            let value = values.record(index, topic: "").value
            let signed = try DocumentSigner.sign(
                value,
                draft: DocumentDraft(
                    id: Self.id(index), from: code, to: [RelayWorkload.agencies[to]],
                    contentType: "application/octet-stream", created: created),
                identity: hub.identities[from])
            return KafkaProducerRecord(
                topic: hub.topics.out(code), key: Array(signed.id.utf8), value: value,
                headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
    }

    /// What each inbox holds once documents `range` are relayed: its documents and, for each
    /// document it sent, one ack.
    func expectedInboxCounts(_ range: Range<Int>) -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for index in range {
            let (from, to) = RelayWorkload.route(index)
            counts[hub.topics.inbox(RelayWorkload.agencies[to]), default: 0] += 1
            counts[hub.topics.inbox(RelayWorkload.agencies[from]), default: 0] += 1
        }
        return counts
    }

    /// Signs and produces documents `range`, 2,000 at a time (`SignedDocumentSource`).
    func produce(_ range: Range<Int>, with producer: KafkaProducer) async throws {
        try await produce(range, with: producer, chunk: 2000)
    }
}
