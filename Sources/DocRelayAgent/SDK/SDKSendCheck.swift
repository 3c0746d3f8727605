import DocRelayCore
import DocRelaySigning
import Foundation

/// What `sendEdoc` sends once its checks hold: the edXML as the client's file (the extra CRLF
/// the SDK appends removed), its kind and sender, and what `getSentEdocList` shows of it.
struct SDKSendPlan: Sendable, Equatable {
    var value: [UInt8]
    var kind: DocumentKind
    var from: String
    var recipients: [String]
    /// The transport id to sign with, when the edXML does not give one (a status packet, or a
    /// document without DocumentId): derived from the sender and the bytes, so a resent request
    /// signs the same id. nil: the signer derives it from the DocumentId (contract, "A record").
    var id: String?
    var title: String
    var notation: String
    /// A status packet's StatusCode.
    var statusCode: EdXMLStatusCode?
}

/// The checks of `sendEdoc` (vxp-sdk-protocol.md, "Operations"), a pure function of the
/// authenticated request and its body: nothing is signed or sent when one fails.
enum SDKSendCheck {
    static func check(_ request: SDKRequest, body: [UInt8]) -> Result<SDKSendPlan, SDKFailure> {
        if let service = request.parameter("servicetype"), service.lowercased() != "edoc" {
            return .failure(SDKFailure("servicetype \(service) is not served: only eDoc"))
        }
        var requested: DocumentKind?
        if let type = request.parameter("messagetype") {
            switch type.lowercased() {
            case "edoc": requested = .edoc
            case "status": requested = .status
            default: return .failure(SDKFailure("messagetype \(type) is not edoc or status"))
            }
        }
        // The SDK appends one CRLF to the file.
        var value = body
        if value.suffix(2) == [0x0D, 0x0A] { value.removeLast(2) }
        guard !value.isEmpty else { return .failure(SDKFailure("the body holds no edXML document")) }
        if let given = request.parameter("hash-file")?.lowercased() {
            let digest = SHA256Digest.hash(value)
            guard given == unpaddedHex(digest) || given == SHA256Digest.hex(digest) || given == unpaddedHex(SHA256Digest.hash(body)) else {
                return .failure(SDKFailure("hash-file \(given) is not the SHA-256 of the body received: the file was altered or cut"))
            }
        }
        let header: EdXMLHeader
        do {
            header = try EdXMLReader.readHeader(value)
        } catch {
            return .failure(SDKFailure("malformed edXML: \(error)"))
        }
        let kind = header.kind
        if let requested, requested != kind {
            return .failure(SDKFailure(
                "messagetype \(requested.rawValue) but the edXML is \(kind == .status ? "a status packet (StatusCode)" : "a document (no StatusCode)")"))
        }
        let allowed = request.system.maySendAs
        guard let sender = header.from, !sender.isEmpty else {
            return .failure(SDKFailure("malformed edXML: no From/OrganId"))
        }
        if let from = request.parameter("from"), !allowed.contains(from) {
            // The shared hub's own words for it, which integrators know.
            return .failure(SDKFailure("Don vi gui \(from) khong dung voi ma da dang ky: \(request.system.id)"))
        }
        guard allowed.contains(sender) else {
            return .failure(SDKFailure("Don vi gui \(sender) khong dung voi ma da dang ky: \(request.system.id) (edXML From/OrganId)"))
        }
        if let from = request.parameter("from"), from != sender {
            return .failure(SDKFailure("from \(from) is not the edXML From/OrganId \(sender)"))
        }
        let recipients = header.recipients
        guard !recipients.isEmpty else {
            return .failure(SDKFailure(kind == .status
                ? "malformed edXML: a status packet without ResponseFor/OrganId (its recipient)"
                : "malformed edXML: no To/OrganId (the recipients)"))
        }
        var id: String?
        if kind == .status || header.documentId == nil {
            id = "sdk-\(kind.rawValue)-" + String(SHA256Digest.hex(SHA256Digest.hash(Array("\(sender)|".utf8) + value)).prefix(32))
        }
        return .success(SDKSendPlan(
            value: value, kind: kind, from: sender, recipients: recipients, id: id, title: header.subject ?? "",
            notation: header.code ?? "", statusCode: header.statusCode))
    }

    /// The SDK's `hash-file`: each byte in lowercase hex without its leading zero (`0a` → `a`).
    static func unpaddedHex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16) }.joined()
    }
}
