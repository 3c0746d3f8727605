public import Foundation

/// The headers relays add on the way: not signed, never trusted for authorisation; they record
/// the journey, retries and dead-lettering.
public struct RelayHeaders: Sendable, Hashable {
    /// `dr-hop`, one per hop in order: `<hub-id>/<instance>/<RFC 3339>`.
    public var hops: [String]
    /// `dr-attempt`: delivery attempts so far.
    public var attempt: Int?
    /// `dr-not-before`: RFC 3339 UTC time before which a retry must not be attempted.
    public var notBefore: String?
    /// `dr-error-class`: `signature`, `sender`, `recipient`, `malformed`, `oversize`, `exhausted`.
    public var errorClass: String?
    /// `dr-error`: a readable reason.
    public var error: String?
    /// `dr-origin-topic`, `dr-origin-partition`, `dr-origin-offset`: where a dead letter was read.
    public var originTopic: String?
    public var originPartition: Int32?
    public var originOffset: Int64?
    /// `dr-dead-lettered-at`: RFC 3339 UTC.
    public var deadLetteredAt: String?
    /// `dr-replayed`: set by an operator's replay.
    public var replayed: String?
    /// `dr-pending-to`: the recipients a retry or replay still has to deliver to (within `dr-to`).
    public var pendingTo: [String]?
    /// `dr-value-sha256`, `dr-value-size`: the value as read, on a dead letter that truncated it.
    public var valueSHA256: String?
    public var valueSize: Int?
    /// `dr-accepted` and `dr-accepted-signature`: the first hub's acceptance, not yet verified.
    public var acceptance: HubAcceptance?
    /// `dr-segment` and `dr-size`: the record is one segment of a larger document.
    public var segment: DocumentSegment?

    public init(
        hops: [String] = [], attempt: Int? = nil, notBefore: String? = nil, errorClass: String? = nil,
        error: String? = nil, originTopic: String? = nil, originPartition: Int32? = nil,
        originOffset: Int64? = nil, deadLetteredAt: String? = nil, replayed: String? = nil,
        pendingTo: [String]? = nil, valueSHA256: String? = nil, valueSize: Int? = nil, acceptance: HubAcceptance? = nil, segment: DocumentSegment? = nil
    ) {
        self.hops = hops
        self.attempt = attempt
        self.notBefore = notBefore
        self.errorClass = errorClass
        self.error = error
        self.originTopic = originTopic
        self.originPartition = originPartition
        self.originOffset = originOffset
        self.deadLetteredAt = deadLetteredAt
        self.replayed = replayed
        self.pendingTo = pendingTo
        self.valueSHA256 = valueSHA256
        self.valueSize = valueSize
        self.acceptance = acceptance
        self.segment = segment
    }

    /// `notBefore` as a date.
    public var notBeforeDate: Date? { notBefore.flatMap(RFC3339.parse) }

    /// `deadLetteredAt` as a date.
    public var deadLetteredDate: Date? { deadLetteredAt.flatMap(RFC3339.parse) }

    /// The relay headers present, hops first, then in `HeaderName.relay` order.
    public var headers: [(name: String, value: [UInt8])] {
        var result: [(name: String, value: [UInt8])] = hops.map { (HeaderName.hop, Array($0.utf8)) }
        let optional: [(String, String?)] = [
            (HeaderName.attempt, attempt.map(String.init)),
            (HeaderName.notBefore, notBefore),
            (HeaderName.errorClass, errorClass),
            (HeaderName.error, error),
            (HeaderName.originTopic, originTopic),
            (HeaderName.originPartition, originPartition.map(String.init)),
            (HeaderName.originOffset, originOffset.map(String.init)),
            (HeaderName.deadLetteredAt, deadLetteredAt),
            (HeaderName.replayed, replayed),
            (HeaderName.pendingTo, pendingTo.map { $0.joined(separator: ",") }),
            (HeaderName.valueSHA256, valueSHA256),
            (HeaderName.valueSize, valueSize.map(String.init)),
        ]
        for case let (name, value?) in optional { result.append((name, Array(value.utf8))) }
        return result + (acceptance?.headers ?? []) + (segment?.headers ?? [])
    }
}
