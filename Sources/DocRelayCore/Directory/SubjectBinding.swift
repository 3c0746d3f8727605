/// A certificate bound by name: its subject together with its issuer, both RFC 2253 text
/// compared exactly after trimming. A subject alone is not accepted: any trust anchor of the
/// hub could issue a certificate with that subject (issue 11, point 5).
public struct SubjectBinding: Sendable, Hashable, CustomStringConvertible {
    /// The certificate's subject, e.g. `CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN`.
    public let subject: String
    /// The subject of the CA that issued it, e.g. `CN=Cục Chứng thực số,O=Ban Cơ yếu Chính phủ,C=VN`.
    public let issuer: String

    public init(subject: String, issuer: String) {
        self.subject = subject.trimmingWhitespace()
        self.issuer = issuer.trimmingWhitespace()
    }

    /// Whether a certificate with this subject and issuer is the one bound.
    public func matches(subject: String, issuer: String) -> Bool {
        let subject = subject.trimmingWhitespace()
        return !subject.isEmpty && subject == self.subject && issuer.trimmingWhitespace() == self.issuer
    }

    public var description: String { "\(subject) issued by \(issuer)" }
}
