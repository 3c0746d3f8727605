public import DocRelayCore

/// Why a record is refused: its error class, a readable reason, and whether the sender was
/// authenticated (only an authentic sender is told of the refusal, with a negative ack).
public struct Rejection: Error, Sendable, CustomStringConvertible {
    public let errorClass: ErrorClass
    public let reason: String
    /// The sender, when the signature verified and its certificate is bound to `dr-from`.
    public let authenticSender: AgencyCode?
    /// The record's signed headers, when they decoded (whether or not they verified): what a
    /// refusal's event and negative acks name, without reading the headers again.
    public var signed: SignedHeaders?

    public init(
        _ errorClass: ErrorClass, _ reason: String, authenticSender: AgencyCode? = nil, signed: SignedHeaders? = nil
    ) {
        self.errorClass = errorClass
        self.reason = reason
        self.authenticSender = authenticSender
        self.signed = signed
    }

    public var description: String { "\(errorClass): \(reason)" }
}
