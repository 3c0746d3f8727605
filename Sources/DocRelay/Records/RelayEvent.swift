import DocRelayCore
public import Foundation

/// One decision of a relay, written to `<prefix>.events` keyed by the document id, so that
/// `docrelay trace` can tell a document's journey.
public struct RelayEvent: Codable, Sendable, Hashable {
    /// What was decided.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Verified and taken in charge by this hub.
        public static let accepted = Kind(rawValue: "accepted")
        /// Written into a recipient's inbox.
        public static let delivered = Kind(rawValue: "delivered")
        /// Passed to the next hub on the way to a recipient.
        public static let forwarded = Kind(rawValue: "forwarded")
        /// Sent to a retry tier after a passing failure.
        public static let retried = Kind(rawValue: "retried")
        /// Written to the dead-letter topic.
        public static let deadLettered = Kind(rawValue: "dead-lettered")
        /// Re-injected by an operator from the dead-letter topic.
        public static let replayed = Kind(rawValue: "replayed")
        /// An ack sent to the document's sender.
        public static let acked = Kind(rawValue: "acked")
        /// Not delivered again: a replay of a record this hub accepted before (same `dr-from`,
        /// `dr-id` and `dr-sha256`); `first-accepted` and `target` say when and where.
        public static let duplicate = Kind(rawValue: "duplicate")
    }

    public var event: Kind
    /// The document's `dr-id` (for a record without one: `<topic>/<partition>/<offset>`).
    public var id: String
    public var hub: String
    public var instance: String
    /// RFC 3339 UTC with milliseconds.
    public var at: String
    public var kind: String?
    public var from: String?
    public var to: [String]?
    /// The recipient this event concerns (delivered, forwarded, acked).
    public var recipient: String?
    /// Where the record was read.
    public var topic: String?
    public var partition: Int32?
    public var offset: Int64?
    /// Where it was written (inbox, next hub, retry tier, dead-letter topic).
    public var target: String?
    public var attempt: Int?
    public var notBefore: String?
    /// The `dr-error-class` of a dead letter or a retry.
    public var errorClass: String?
    public var reason: String?
    /// For a replay: where the dead letter was (`<dlq topic>/<partition>/<offset>`).
    public var deadLetter: String?
    /// For a delivery: milliseconds from `dr-created` to the inbox write.
    public var latencyMilliseconds: Int?
    /// For a duplicate: when the first record of its identity was accepted (RFC 3339); `target`
    /// then says where it was read (`<out topic>/<partition>/<offset>`).
    public var firstAccepted: String?

    public init(event: Kind, id: String, hub: String, instance: String, at: String) {
        self.event = event
        self.id = id
        self.hub = hub
        self.instance = instance
        self.at = at
    }

    private enum CodingKeys: String, CodingKey {
        case event, id, hub, instance, at, kind, from, to, recipient, topic, partition, offset, target, attempt
        case notBefore = "not-before"
        case errorClass = "class"
        case reason
        case deadLetter = "dead-letter"
        case latencyMilliseconds = "latency-ms"
        case firstAccepted = "first-accepted"
    }

    /// Compact JSON with sorted keys, as `JSONEncoder` would write it (tested), written by hand.
    public func encoded() -> [UInt8] {
        var json = JSONObjectWriter()
        json.add("at", at)
        json.add("attempt", attempt)
        json.add("class", errorClass)
        json.add("dead-letter", deadLetter)
        json.add("event", event.rawValue)
        json.add("first-accepted", firstAccepted)
        json.add("from", from)
        json.add("hub", hub)
        json.add("id", id)
        json.add("instance", instance)
        json.add("kind", kind)
        json.add("latency-ms", latencyMilliseconds)
        json.add("not-before", notBefore)
        json.add("offset", offset)
        json.add("partition", partition)
        json.add("reason", reason)
        json.add("recipient", recipient)
        json.add("target", target)
        json.add("to", to)
        json.add("topic", topic)
        return json.finish()
    }

    public static func decode(_ bytes: [UInt8]) -> RelayEvent? {
        try? JSONDecoder().decode(RelayEvent.self, from: Data(bytes))
    }
}
