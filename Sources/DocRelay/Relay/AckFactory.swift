import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation

/// Makes the hub's signed `ack` records (contract, "Acks and statuses"): to the document's
/// sender's inbox, `dr-from: hub:<id>`, `dr-ref`: the document's id, the value an `AckMessage`.
struct AckFactory: Sendable {
    let hubID: String
    let identity: SigningIdentity
    let topics: TopicNames

    /// The ack for one recipient of `document`, keyed by the document id so that every record
    /// about one document lands in one partition.
    func ack(
        for document: SignedHeaders, recipient: String, outcome: AckMessage.Outcome, reason: String? = nil, at time: Date
    ) throws(DocumentSigningError) -> KafkaProducerRecord {
        let message = AckMessage(
            ref: document.id, recipient: recipient, outcome: outcome, hub: hubID,
            at: RFC3339.format(time, fractionalDigits: 3), reason: reason)
        let value = message.encoded()
        let draft = DocumentDraft(
            id: "ack-\(UUID().uuidString.lowercased())", kind: .ack, from: SignedHeaders.hubPrefix + hubID,
            to: [document.from], ref: document.id, contentType: "application/json", created: time)
        let signed = try DocumentSigner.sign(value, draft: draft, identity: identity)
        return KafkaProducerRecord(
            topic: topics.inbox(document.from), key: Array(document.id.utf8), value: value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }
}
