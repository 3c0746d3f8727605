public import DocRelayCore
public import Foundation

/// Which dead letters an operator asks for (`--agency`, `--class`, `--since`); a criterion
/// left nil lets everything through.
public struct DeadLetterFilter: Sendable, Hashable {
    /// An agency code matching the sender (`dr-from`), a recipient (`dr-to`) or a pending
    /// recipient (`dr-pending-to`).
    public var agency: String?
    /// A `dr-error-class`, e.g. `signature` or `exhausted`.
    public var errorClass: String?
    /// Dead-lettered at or after this time (a dead letter without a time never matches).
    public var since: Date?

    public init(agency: String? = nil, errorClass: String? = nil, since: Date? = nil) {
        self.agency = agency
        self.errorClass = errorClass
        self.since = since
    }

    public func matches(_ entry: DeadLetterEntry) -> Bool {
        if let agency, !entry.agencies.contains(agency) { return false }
        if let errorClass, entry.letter.errorClass != errorClass { return false }
        if let since {
            guard let time = entry.time, time >= since else { return false }
        }
        return true
    }

    /// The classes the contract defines, for checking `--class`.
    public static let knownClasses: [ErrorClass] = [.signature, .sender, .recipient, .malformed, .oversize, .exhausted, .duplicate, .incomplete]
}
