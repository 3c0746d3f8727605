/// The names of DocRelay's record headers (see the contract, "A record").
public enum HeaderName {
    // Signed by the origin, in the order of the signature base.
    public static let id = "dr-id"
    public static let kind = "dr-kind"
    public static let from = "dr-from"
    public static let to = "dr-to"
    public static let created = "dr-created"
    public static let contentType = "dr-content-type"
    public static let ref = "dr-ref"
    public static let sha256 = "dr-sha256"
    public static let signature = "dr-signature"

    // Added by relays: not signed, never trusted for authorisation.
    public static let hop = "dr-hop"
    public static let attempt = "dr-attempt"
    public static let notBefore = "dr-not-before"
    public static let errorClass = "dr-error-class"
    public static let error = "dr-error"
    public static let originTopic = "dr-origin-topic"
    public static let originPartition = "dr-origin-partition"
    public static let originOffset = "dr-origin-offset"
    public static let deadLetteredAt = "dr-dead-lettered-at"
    public static let replayed = "dr-replayed"
    /// The recipients still to deliver to, when a retry or replay concerns only some of `dr-to`
    /// (a subset of it: it can only narrow a delivery, never widen it).
    public static let pendingTo = "dr-pending-to"
    /// On a dead letter whose value was truncated: the SHA-256 (lowercase hex) and the size in
    /// bytes of the value as it was read.
    public static let valueSHA256 = "dr-value-sha256"
    public static let valueSize = "dr-value-size"
    /// On a dead letter: the headers of the record not kept in it, each with its size
    /// (`x-pad (122880 B), ...`), so that the copy fits under the producer's record limit.
    public static let droppedHeaders = "dr-dropped-headers"
    /// The first hub's acceptance (`HubAcceptance`): `<hub-id>/<RFC 3339>`, and that hub's
    /// signature over it and the record. Added by relays, but trusted only once verified.
    public static let accepted = "dr-accepted"
    public static let acceptedSignature = "dr-accepted-signature"
    /// A document sent in segments (`DocumentSegment`): `<index>/<count>` (or `abort/<count>`),
    /// and the whole value's size in bytes. Written by the sender, passed on by relays; not
    /// signed: the signed `dr-sha256` of the whole value fixes its bytes and so its size.
    public static let segment = "dr-segment"
    public static let size = "dr-size"

    /// The signed headers, in contract order (the signature is over the base the others make).
    public static let signed = [id, kind, from, to, created, contentType, ref, sha256, signature]

    /// The relay headers, in the order relays write them.
    public static let relay = [
        hop, attempt, notBefore, errorClass, error, originTopic, originPartition, originOffset,
        deadLetteredAt, replayed, pendingTo, valueSHA256, valueSize, droppedHeaders, accepted, acceptedSignature,
        segment, size,
    ]
}
