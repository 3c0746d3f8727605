public import Foundation

/// Checks a detached signature of the contract (`dr-signature`): a DER CMS SignedData over
/// `content` (the signature base), by a signer whose certificate, included in the signature,
/// chains to an anchor of `trust` and was valid at `time` (the record's `dr-created`) — every
/// certificate of the chain — and, where `trust` has CRLs, is not revoked. The chain is checked
/// for any purpose (agency certificates may lack the S/MIME extended key usage); the contract's
/// own rules apply to the signature (SHA-256 only) and to the signer certificate (fit to sign
/// documents): see `SignaturePolicy`.
///
/// Returns the signer on success; throws a `SigningError` whose reason says why otherwise.
public protocol DetachedSignatureVerifier: Sendable {
    func verify(
        signature: [UInt8], content: [UInt8], trust: TrustStore, at time: Date
    ) throws(SigningError) -> VerifiedSigner
}

/// Who signed: the certificate that the signature verified with, once its chain was checked.
public struct VerifiedSigner: Sendable, Hashable {
    /// The signer's certificate.
    public let certificate: Certificate
    /// Lowercase hex SHA-256 of the certificate's DER (the directory binds agencies by it).
    public let fingerprint: String
    /// The certificate's subject, RFC 2253 in UTF-8 (e.g. `CN=000.00.00.G22,O=…,C=VN`).
    public let subject: String
    /// The issuer's subject, in the same form (the directory binds by subject only with it).
    public let issuer: String

    public init(certificate: Certificate) {
        self.certificate = certificate
        fingerprint = certificate.sha256Fingerprint
        subject = certificate.subject
        issuer = certificate.issuer
    }
}
