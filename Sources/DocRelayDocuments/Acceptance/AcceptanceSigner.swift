public import DocRelayCore
public import DocRelaySigning
public import Foundation

/// Makes a hub's `HubAcceptance` for records it accepts first (contract, "Trusted time"), with
/// the hub's relay identity, the one its acks are signed with (bound to `hub:<id>`).
public struct AcceptanceSigner: Sendable {
    public let hubID: String
    private let signer: PreparedSigner

    public init(hubID: String, identity: SigningIdentity) throws(SigningError) {
        self.hubID = hubID
        signer = try PreparedSigner(identity: identity)
    }

    /// The acceptance of the record signed with `signed` (its DER signature must decode: it
    /// verified), at `time` written with milliseconds. Throws the `EnvelopeError` of a signature
    /// that does not decode, or the `SigningError` of a key that cannot sign.
    public func accept(_ signed: SignedHeaders, at time: Date) throws -> HubAcceptance {
        let signatureBytes = try signed.signatureBytes()
        let at = RFC3339.format(time, fractionalDigits: 3)
        let base = HubAcceptance.base(
            hubID: hubID, at: at, documentID: signed.id, signatureSHA256: SHA256Hex.of(signatureBytes))
        let signature = Data(try signer.sign(base, at: time)).base64EncodedString()
        return HubAcceptance(hubID: hubID, at: at, atDate: RFC3339.parse(at) ?? time, signature: signature)
    }
}
