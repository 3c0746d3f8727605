public import Foundation

/// A hub's signed statement that it accepted a record, and when (contract, "Trusted time"):
/// the first hub that judges a record against its own clock adds
///
/// - `dr-accepted`: `<hub-id>/<RFC 3339 UTC>`, the hub and its clock's time of acceptance;
/// - `dr-accepted-signature`: base64 of a DER CMS SignedData, detached, SHA-256, by that hub's
///   relay certificate (bound to `hub:<hub-id>` in the directory), over `base(...)`.
///
/// Later hops, retries, replays and the recipient's agent verify it instead of judging the
/// record's time again, so that neither time passing nor newer trust data (a CRL reloaded)
/// flips a verdict once reached. It binds the record through the SHA-256 of the record's DER
/// signature, which covers every signed header and, through `dr-sha256`, the value.
public struct HubAcceptance: Sendable, Hashable {
    /// The accepting hub's id.
    public let hubID: String
    /// The time of acceptance as written (RFC 3339 UTC).
    public let at: String
    /// `at` as a date.
    public let atDate: Date
    /// The hub's signature, standard base64 of the DER CMS.
    public let signature: String

    public init(hubID: String, at: String, atDate: Date, signature: String) {
        self.hubID = hubID
        self.at = at
        self.atDate = atDate
        self.signature = signature
    }

    /// `dr-accepted`'s value.
    public var accepted: String { "\(hubID)/\(at)" }

    /// The two headers, in this order.
    public var headers: [(name: String, value: [UInt8])] {
        [(HeaderName.accepted, Array(accepted.utf8)), (HeaderName.acceptedSignature, Array(signature.utf8))]
    }

    /// What the hub signs: these five lines, UTF-8, joined by LF, no trailing LF:
    /// `docrelay-accepted-v1`, `hub:<hub-id>`, `at:<RFC 3339>`, `id:<dr-id>`,
    /// `signature-sha256:<lowercase hex SHA-256 of the DER dr-signature decodes to>`.
    public static func base(hubID: String, at: String, documentID: String, signatureSHA256: String) -> [UInt8] {
        Array("""
            docrelay-accepted-v1
            hub:\(hubID)
            at:\(at)
            id:\(documentID)
            signature-sha256:\(signatureSHA256)
            """.utf8)
    }

    /// Reads `dr-accepted` (`<hub-id>/<RFC 3339>`) and `dr-accepted-signature` (strict base64,
    /// at most `maxSignatureBytes` decoded): both or neither; nil for neither.
    static func decode(
        accepted: String?, signature: String?, maxSignatureBytes: Int
    ) throws(EnvelopeError) -> HubAcceptance? {
        switch (accepted, signature) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw .malformed(HeaderName.accepted, "expected it with dr-accepted-signature, not missing")
        case (_?, nil):
            throw .malformed(HeaderName.acceptedSignature, "expected it with dr-accepted, not missing")
        case let (accepted?, signature?):
            let parts = accepted.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, Directory.isHubID(parts[0]), let date = RFC3339.parse(parts[1]) else {
                throw .malformed(
                    HeaderName.accepted,
                    "expected <hub-id>/<RFC 3339 UTC time> such as national/2026-11-30T08:00:00.000Z, not \(quoted(accepted))")
            }
            guard !signature.isEmpty, let bytes = Base64.decode(signature.utf8) else {
                throw .malformed(HeaderName.acceptedSignature, "expected standard base64 with padding, not \(quoted(signature))")
            }
            guard bytes.count <= maxSignatureBytes else {
                throw .oversize(
                    HeaderName.acceptedSignature, "expected a signature of at most \(maxSignatureBytes) bytes, not \(bytes.count)")
            }
            return HubAcceptance(hubID: parts[0], at: parts[1], atDate: date, signature: signature)
        }
    }

    /// The DER signature.
    public func signatureBytes() throws(EnvelopeError) -> [UInt8] {
        guard let bytes = Base64.decode(signature.utf8) else {
            throw .malformed(HeaderName.acceptedSignature, "expected standard base64 with padding")
        }
        return bytes
    }
}
