/// Why a certificate was revoked: the `reasonCode` extension of a CRL entry (RFC 5280 §5.3.1,
/// `CRLReason ::= ENUMERATED`), named as the RFC names it. Not exhaustive: an entry may carry a
/// code this type does not name (`init?(code:)` answers nil for it).
public struct RevocationReason: Hashable, Sendable, CustomStringConvertible {
    /// The ENUMERATED value, 0 to 10 (7 is not used).
    public let code: Int
    /// The RFC's name, e.g. `keyCompromise`.
    public let name: String

    private init(_ code: Int, _ name: String) {
        self.code = code
        self.name = name
    }

    /// The reason of `code`, or nil for a value RFC 5280 does not define.
    public init?(code: Int) {
        guard let known = Self.all.first(where: { $0.code == code }) else { return nil }
        self = known
    }

    public static let unspecified = RevocationReason(0, "unspecified")
    public static let keyCompromise = RevocationReason(1, "keyCompromise")
    public static let cACompromise = RevocationReason(2, "cACompromise")
    public static let affiliationChanged = RevocationReason(3, "affiliationChanged")
    public static let superseded = RevocationReason(4, "superseded")
    public static let cessationOfOperation = RevocationReason(5, "cessationOfOperation")
    public static let certificateHold = RevocationReason(6, "certificateHold")
    public static let removeFromCRL = RevocationReason(8, "removeFromCRL")
    public static let privilegeWithdrawn = RevocationReason(9, "privilegeWithdrawn")
    public static let aACompromise = RevocationReason(10, "aACompromise")

    static let all: [RevocationReason] = [
        .unspecified, .keyCompromise, .cACompromise, .affiliationChanged, .superseded, .cessationOfOperation,
        .certificateHold, .removeFromCRL, .privilegeWithdrawn, .aACompromise,
    ]

    public var description: String { name }
}
