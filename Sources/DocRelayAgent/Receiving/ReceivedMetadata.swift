import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// What the agent tells the agency's software about a document it delivers: the sidecar
/// `<file>.meta.json` of the inbox folder, and the HTTP headers of the webhook's request.
struct ReceivedMetadata: Codable, Sendable {
    var id: String
    var kind: String
    var from: String
    var to: [String]
    var created: String
    var contentType: String
    var ref: String
    var sha256: String
    /// The certificate that signed it (verified here, bound to `from` in the directory).
    var signer: String
    var signerFingerprint: String
    /// The hubs it passed (`dr-hop`).
    var hops: [String]
    var receivedAt: String
    var topic: String
    var partition: Int32
    var offset: Int64
    /// For a status: its edXML code and description.
    var statusCode: String?
    var statusDescription: String?
    /// The edXML header's code ("số, ký hiệu") and subject, when it has them.
    var documentCode: String?
    var subject: String?
    /// The signed headers, as received: enough to verify the document again.
    var headers: [String: String]
    /// The edXML `MessageHeader/DocumentId`: the business id an update, replacement or
    /// revocation shares with its original (`id` is the transport id, unique per message).
    var businessId: String?
    /// The edXML message type: `new`, `update`, `replacement` or `revocation` (QCVN 102
    /// BussinessDocType 0, 2, 3, 1).
    var messageType: String?
    /// The other messages of the same sender about the same business id received before
    /// (an update's original, a revocation's original and updates), oldest first.
    var related: [Related] = []

    /// A message of the same business document, as `related` lists it.
    struct Related: Codable, Sendable {
        var id: String
        var messageType: String?
        var receivedAt: String
        var file: String?
    }

    init(document: VerifiedDocument, record: KafkaRecord, receivedAt: String) {
        let signed = document.envelope.signed
        id = signed.id
        kind = signed.kind.rawValue
        from = signed.from
        to = signed.to
        created = signed.created
        contentType = signed.contentType
        ref = signed.ref
        sha256 = signed.sha256
        signer = document.signer.subject
        signerFingerprint = document.signer.fingerprint
        hops = document.envelope.relay.hops
        self.receivedAt = receivedAt
        topic = record.topic
        partition = record.partition
        offset = record.offset
        statusCode = document.edXML?.statusCode?.rawValue
        statusDescription = document.edXML?.statusDescription
        documentCode = document.edXML?.code
        subject = document.edXML?.subject
        businessId = document.edXML?.documentId
        messageType = signed.kind == .edoc ? document.edXML?.messageType?.rawValue : nil
        headers = Dictionary(
            signed.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }, uniquingKeysWith: { first, _ in first })
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("{}".utf8)
    }

    /// The signed headers as they are, and who verified as the signer.
    var httpHeaders: [(name: String, value: String)] {
        headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            + [("docrelay-verified-signer", signer), ("docrelay-received-at", receivedAt)]
            + (businessId.map { [("docrelay-business-id", $0)] } ?? [])
            + (messageType.map { [("docrelay-message-type", $0)] } ?? [])
    }
}
