internal import COpenSSL

/// What a signer needs: its certificate, the private key of that certificate, and the
/// certificates between it and the trust anchor (included in every signature).
public struct SigningIdentity: Sendable {
    /// The signer's certificate, included in every signature.
    public let certificate: Certificate
    /// The private key whose public half `certificate` holds.
    public let key: PrivateKey
    /// Intermediate CA certificates to include too (may be empty).
    public let chain: [Certificate]

    /// Fails with `.invalidKey` when `key` is not the key of `certificate`.
    public init(certificate: Certificate, key: PrivateKey, chain: [Certificate] = []) throws(SigningError) {
        OpenSSLErrorQueue.clear()
        let matches = certificate.withX509 { x509 in key.withPKey { X509_check_private_key(x509, $0) } }
        guard matches == 1 else {
            throw .openSSL(.invalidKey, "the private key is not the key of the certificate \(certificate.subject)")
        }
        self.certificate = certificate
        self.key = key
        self.chain = chain
    }

    /// Reads a PEM certificate file (the signer's certificate first, then any intermediates)
    /// and a PEM key file.
    public static func load(certificateFile: String, keyFile: String) throws(SigningError) -> SigningIdentity {
        let certificates = try Certificate.load(pemFile: certificateFile)
        let key = try PrivateKey.load(pemFile: keyFile)
        guard let certificate = certificates.first else {
            throw SigningError(.malformed, "\(certificateFile) holds no PEM certificate")
        }
        return try SigningIdentity(certificate: certificate, key: key, chain: Array(certificates.dropFirst()))
    }
}
