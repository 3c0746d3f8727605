public import DocRelayCore
public import DocRelaySigning

/// A record that passed every check of the contract.
public struct VerifiedDocument: Sendable {
    public let envelope: Envelope
    /// Who signed: the certificate that verified, bound to the sender in the directory.
    public let signer: VerifiedSigner
    /// The sending agency (nil when verified without a directory).
    public let sender: Agency?
    /// The recipients (empty when verified without a directory).
    public let recipients: [Agency]
    /// The edXML header, for edXML documents.
    public let edXML: EdXMLHeader?
}
