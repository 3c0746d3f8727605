import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation

/// The signed documents of one path (`HopsPath`), as its sender publishes them: from the
/// path's sender to its recipient, `dr-content-type: application/octet-stream`, signed with the
/// sender's RSA-2048 key on every core before anything is timed, in the sender's `out` topic on
/// the sender's home cluster, keyed by `dr-id`.
struct HopsDocuments: Sendable {
    let path: HopsPath
    /// The untimed documents, sent all at once before the measurement.
    let warmUp: [KafkaProducerRecord]
    /// The timed documents, sent one by one.
    let timed: [KafkaProducerRecord]

    init(path: HopsPath, workload: HopsWorkload, tree: HopsTree) throws {
        self.path = path
        let values = SourceRecords(size: workload.size)
        let identity = try tree.identity(path.sender.code)
        let topic = tree.topics.out(path.sender.code)
        let created = Date()
        let warmUpCount = workload.warmUpDocuments
        let signed = try RelayHub.parallelMap(0..<(warmUpCount + workload.documents)) { index in
            let warm = index < warmUpCount
            let id = path.id(warm ? index : index - warmUpCount, warmUp: warm)
            let value = values.record(index, topic: "").value
            let document = try DocumentSigner.sign(
                value,
                draft: DocumentDraft(
                    id: id, from: path.sender.code, to: [path.recipient.code],
                    contentType: "application/octet-stream", created: created),
                identity: identity)
            return KafkaProducerRecord(
                topic: topic, key: Array(document.id.utf8), value: value,
                headers: document.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
        warmUp = Array(signed.prefix(warmUpCount))
        timed = Array(signed.dropFirst(warmUpCount))
    }

    /// Every document id of the path, warm-up first.
    var ids: [String] {
        (warmUp + timed).map { String(decoding: $0.key ?? [], as: UTF8.self) }
    }
}
