/// An error from the signing layer: what kind of failure it is, a readable explanation (with
/// OpenSSL's own text where it helps), and where in DocRelay it was raised.
///
/// Verification failures carry the reason a relay acts on: a tampered document
/// (`badSignature`) is handled differently from a signer the hub does not trust
/// (`untrustedSigner`) or one whose certificate has lapsed (`certificateExpired`).
public struct SigningError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Not exhaustive: new reasons may be added.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, e.g. `badSignature`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// Bad DER or PEM, or a structure that is not what it should be (not a CMS SignedData,
        /// a truncated signature, no signers).
        public static let malformed = Reason("malformed")
        /// The signature or the message digest does not verify: the content or the signed
        /// attributes were changed, or the signature bytes are wrong.
        public static let badSignature = Reason("badSignature")
        /// The signer certificate does not chain to a trust anchor of the store (or the chain
        /// is invalid: a bad CA signature, a CA without the CA flag, a CRL that cannot be used).
        public static let untrustedSigner = Reason("untrustedSigner")
        /// A certificate of the chain had expired at the verification time.
        public static let certificateExpired = Reason("certificateExpired")
        /// A certificate of the chain was not yet valid at the verification time.
        public static let certificateNotYetValid = Reason("certificateNotYetValid")
        /// A certificate of the chain is revoked by a CRL of the store.
        public static let certificateRevoked = Reason("certificateRevoked")
        /// The signature does not include the signer's certificate.
        public static let missingSignerCertificate = Reason("missingSignerCertificate")
        /// A digest, signature or key algorithm this layer does not support.
        public static let unsupportedAlgorithm = Reason("unsupportedAlgorithm")
        /// An algorithm the contract does not allow in a signature: a digest other than SHA-256,
        /// or a signature algorithm with another hash (`sha1WithRSAEncryption`). The CA
        /// signatures of the chain are not concerned.
        public static let disallowedAlgorithm = Reason("disallowedAlgorithm")
        /// A signer certificate not meant to sign documents: its key usage allows neither
        /// digitalSignature nor nonRepudiation, or its extended key usage names no document
        /// signing purpose (a TLS client certificate).
        public static let disallowedKeyUsage = Reason("disallowedKeyUsage")
        /// A key that cannot be used: unreadable, or not the key of the certificate.
        public static let invalidKey = Reason("invalidKey")
        /// A file that cannot be read or written.
        public static let io = Reason("io")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public let reason: Reason
    /// A readable explanation, with OpenSSL's error text where there is some.
    public let message: String
    /// Where in DocRelay the error was raised.
    public let file: String
    public let line: Int

    init(_ reason: Reason, _ message: String, file: String = #fileID, line: Int = #line) {
        self.reason = reason
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(reason.name): \(message)" }
}
