import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// The documents of `docrelay-bench backlog`, as agencies publish them (see `RelayDocuments`),
/// each placed by `BacklogWorkload.placements()`: its out partition given, its id chosen.
struct BacklogDocuments: SignedDocumentSource {
    let hub: RelayHub
    let workload: BacklogWorkload
    let placements: [BacklogWorkload.Placement]
    private let values: SourceRecords

    init(hub: RelayHub, workload: BacklogWorkload) {
        self.hub = hub
        self.workload = workload
        self.placements = workload.placements()
        self.values = SourceRecords(size: workload.size)
    }

    /// Documents `range`, signed on every core.
    func sign(_ range: Range<Int>, created: Date) throws -> [KafkaProducerRecord] {
        let (hub, values, placements) = (hub, values, placements)
        return try RelayHub.parallelMap(range) { index in
            let place = placements[index]
            let code = RelayWorkload.agencies[place.from]
            let value = values.record(index, topic: "").value
            let signed = try DocumentSigner.sign(
                value,
                draft: DocumentDraft(
                    id: place.id, from: code, to: [RelayWorkload.agencies[place.to]],
                    contentType: "application/octet-stream", created: created),
                identity: hub.identities[place.from])
            return KafkaProducerRecord(
                topic: hub.topics.out(code), partition: place.outPartition, key: Array(signed.id.utf8), value: value,
                headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
    }

    /// What each inbox holds once documents `range` are relayed: its documents and, for each
    /// document it sent, one ack.
    func expectedInboxCounts(_ range: Range<Int>) -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for index in range {
            let place = placements[index]
            counts[hub.topics.inbox(RelayWorkload.agencies[place.to]), default: 0] += 1
            counts[hub.topics.inbox(RelayWorkload.agencies[place.from]), default: 0] += 1
        }
        return counts
    }

    /// Signs and produces documents `range`, 32 at a time (`SignedDocumentSource`).
    func produce(_ range: Range<Int>, with producer: KafkaProducer) async throws {
        try await produce(range, with: producer, chunk: 32)
    }
}
