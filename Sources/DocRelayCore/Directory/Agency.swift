/// An agency as the directory declares it: its code, its home hub, where it sits in the
/// hierarchy, and the certificates allowed to sign as it.
public struct Agency: Sendable, Hashable {
    /// The agency's code (QCVN 102:2016, or a declared other identifier).
    public let code: AgencyCode
    /// A readable name, e.g. "Văn phòng Chính phủ".
    public let name: String
    /// The id of the hub that serves it: where its `in`/`out` topics live.
    public let hubID: String
    /// The parent the directory gives it instead of its code's default parent.
    public let parentOverride: AgencyCode?
    /// SHA-256 of the DER of each certificate bound to the code: 64 lowercase hex digits.
    public let certificateFingerprints: [String]
    /// Certificates bound to the code by subject and issuer (RFC 2253).
    public let certificateSubjects: [SubjectBinding]
    /// Codes the agency was known by before (directory key `former-codes`, issue 14): searched
    /// by the address book and listed as `oldCode` to the SDK; never used for routing.
    public var formerCodes: [String] = []
    /// Names the agency had before (directory key `former-names`), searched by the address book.
    public var formerNames: [String] = []

    /// An agency; fingerprints are stored in lowercase and subjects trimmed.
    public init(
        code: AgencyCode, name: String, hubID: String, parentOverride: AgencyCode? = nil,
        certificateFingerprints: [String] = [], certificateSubjects: [SubjectBinding] = []
    ) {
        self.code = code
        self.name = name
        self.hubID = hubID
        self.parentOverride = parentOverride
        self.certificateFingerprints = certificateFingerprints.map { $0.lowercased() }
        self.certificateSubjects = certificateSubjects
    }

    /// Whether a certificate with this SHA-256 fingerprint (hex, any case), or this RFC 2253
    /// subject and issuer together (compared exactly, after trimming), is bound to the agency.
    public func isBound(fingerprint: String, subject: String?, issuer: String?) -> Bool {
        if certificateFingerprints.contains(fingerprint.lowercased()) { return true }
        guard let subject, let issuer else { return false }
        return certificateSubjects.contains { $0.matches(subject: subject, issuer: issuer) }
    }
}
