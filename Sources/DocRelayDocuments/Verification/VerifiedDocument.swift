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
    /// How its time was judged: here for the first time, by an earlier hub, or at `dr-created`.
    public let acceptance: DocumentAcceptance
    /// Why the record's `HubAcceptance` was not taken (it was then judged as if it had none).
    public let ignoredAcceptance: String?
}
