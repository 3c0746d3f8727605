/// The contract's `dr-error-class` values: why a record cannot be delivered.
public struct ErrorClass: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Bad or missing signature, or a value that does not match its signed digest.
    public static let signature = ErrorClass(rawValue: "signature")
    /// The signer's certificate is not bound to `dr-from` in the directory.
    public static let sender = ErrorClass(rawValue: "sender")
    /// A recipient the directory does not know.
    public static let recipient = ErrorClass(rawValue: "recipient")
    /// Unparseable headers, a bad code, bad edXML.
    public static let malformed = ErrorClass(rawValue: "malformed")
    /// Over the size limits.
    public static let oversize = ErrorClass(rawValue: "oversize")
    /// Retried through every tier, or too old: given up.
    public static let exhausted = ErrorClass(rawValue: "exhausted")
    /// A sender's id (`dr-from`, `dr-id`) accepted before with another `dr-sha256`: a sender's
    /// id names one content (contract, "Transport identity").
    public static let duplicate = ErrorClass(rawValue: "duplicate")

    /// A document sent in segments whose segments stopped coming before the last (contract,
    /// "Large documents").
    public static let incomplete = ErrorClass(rawValue: "incomplete")

    public var description: String { rawValue }
}
