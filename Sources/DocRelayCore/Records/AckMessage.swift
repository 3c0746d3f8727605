public import Foundation

/// The value of an `ack` record (contract, "Acks and statuses"): the transport outcome of one
/// document for one recipient, signed by the hub that decided it.
public struct AckMessage: Codable, Sendable, Hashable {
    /// Delivered into the recipient's inbox, or failed (dead-lettered).
    public struct Outcome: RawRepresentable, Codable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let delivered = Outcome(rawValue: "delivered")
        public static let failed = Outcome(rawValue: "failed")
    }

    /// The `dr-id` of the document acknowledged.
    public var ref: String
    public var recipient: String
    public var outcome: Outcome
    /// The hub that decided.
    public var hub: String
    /// RFC 3339 UTC.
    public var at: String
    /// Why, for a failure: `<class>: <reason>`.
    public var reason: String?

    public init(ref: String, recipient: String, outcome: Outcome, hub: String, at: String, reason: String? = nil) {
        self.ref = ref
        self.recipient = recipient
        self.outcome = outcome
        self.hub = hub
        self.at = at
        self.reason = reason
    }

    /// Compact JSON with sorted keys, as `JSONEncoder` would write it (tested), written by hand.
    public func encoded() -> [UInt8] {
        var json = JSONObjectWriter()
        json.add("at", at)
        json.add("hub", hub)
        json.add("outcome", outcome.rawValue)
        json.add("reason", reason)
        json.add("recipient", recipient)
        json.add("ref", ref)
        return json.finish()
    }

    public static func decode(_ bytes: [UInt8]) -> AckMessage? {
        try? JSONDecoder().decode(AckMessage.self, from: Data(bytes))
    }
}
