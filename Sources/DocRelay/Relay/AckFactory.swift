import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// Makes the hub's signed `ack` records (contract, "Acks and statuses"): to the document's
/// sender's inbox, `dr-from: hub:<id>`, `dr-ref`: the document's id, the value an `AckMessage`.
/// One per delivery, so signed with a `PreparedSigner` (no CMS builder) and without checking
/// again headers this code has just built.
struct AckFactory: Sendable {
    let hubID: String
    let signer: PreparedSigner
    let topics: TopicNames

    init(hubID: String, identity: SigningIdentity, topics: TopicNames) throws(SigningError) {
        self.hubID = hubID
        self.signer = try PreparedSigner(identity: identity)
        self.topics = topics
    }

    /// The ack for one recipient of `document`, keyed by the document id so that every record
    /// about one document lands in one partition.
    func ack(
        for document: SignedHeaders, recipient: String, outcome: AckMessage.Outcome, reason: String? = nil, at time: Date
    ) throws(SigningError) -> KafkaProducerRecord {
        let message = AckMessage(
            ref: document.id, recipient: recipient, outcome: outcome, hub: hubID,
            at: RFC3339.format(time, fractionalDigits: 3), reason: reason)
        let value = message.encoded()
        var headers = SignedHeaders(
            id: "ack-\(UUID().uuidString.lowercased())", kind: .ack, from: SignedHeaders.hubPrefix + hubID,
            to: [document.from], createdAt: time, contentType: "application/json", ref: document.id,
            sha256: SHA256Hex.of(value))
        headers.signature = Data(try signer.sign(headers.signatureBase, at: time)).base64EncodedString()
        return KafkaProducerRecord(
            topic: topics.inbox(document.from), key: Array(document.id.utf8), value: value,
            headers: headers.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }
}
