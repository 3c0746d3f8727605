public import DocRelayCore
public import DocRelaySigning
import Foundation

/// What steps 2 and 3 of `DocumentVerifier` establish from a record's signed headers alone:
/// the signature over the signature base verifies, its certificate chains to the hub's anchors
/// and is bound to `dr-from` in the directory. Nothing about the value.
public struct SenderAuthentication: Sendable {
    /// The signed headers that verified.
    public let signed: SignedHeaders
    /// The certificate that verified.
    public let signer: VerifiedSigner
    /// The sending agency (nil without a directory, or for a hub's own record).
    public let sender: Agency?
    /// The sender agency, authentic: bound to the signer in the directory (nil without a
    /// directory, or for a hub's own record, which earns no ack).
    public let authentic: AgencyCode?

    /// The DER `dr-signature` decodes to, for the time rules.
    let signatureBytes: [UInt8]
    /// The earlier hub whose acceptance verified, and when it accepted.
    let attested: (hubID: String, at: Date)?
    /// Why the record's `HubAcceptance` was not taken.
    let ignoredAcceptance: String?
}
