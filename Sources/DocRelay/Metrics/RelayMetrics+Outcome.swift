extension RelayMetrics {
    /// What the relay did with a record (or for one recipient of it): the `outcome` label.
    public struct Outcome: Hashable, Sendable, CustomStringConvertible {
        /// The label value.
        public let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// Written to a recipient's inbox on this hub (once per recipient).
        public static let delivered = Outcome("delivered")
        /// Sent on to another hub's `hub` topic.
        public static let forwarded = Outcome("forwarded")
        /// Sent to a retry tier.
        public static let retried = Outcome("retried")
        /// Written to the DLQ.
        public static let deadLettered = Outcome("dead_lettered")
        /// An ack (positive or negative) sent to a sender.
        public static let acked = Outcome("acked")

        /// Every outcome: the label's whole value set.
        public static let all: [Outcome] = [.delivered, .forwarded, .retried, .deadLettered, .acked]

        public var description: String { rawValue }
    }
}
