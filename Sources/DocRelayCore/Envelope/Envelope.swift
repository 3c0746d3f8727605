/// A record's headers, read and checked: what the origin signed and what relays added.
/// The value (the document) travels beside it untouched.
public struct Envelope: Sendable, Hashable {
    public var signed: SignedHeaders
    public var relay: RelayHeaders

    public init(signed: SignedHeaders, relay: RelayHeaders = RelayHeaders()) {
        self.signed = signed
        self.relay = relay
    }

    /// Every header: the signed ones in contract order, then the relay ones.
    public var headers: [(name: String, value: [UInt8])] {
        signed.headers + relay.headers
    }
}
