internal import COpenSSL

/// An error of OpenSSL's chain verification (`X509_V_ERR_*`) and the reason DocRelay gives it.
struct X509VerifyError: Hashable, Sendable {
    let code: Int32

    /// Expired, not yet valid and revoked have their own reasons; a certificate time OpenSSL
    /// cannot read is malformed; every other failure means the chain does not lead to trust.
    var reason: SigningError.Reason {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED: .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID: .certificateNotYetValid
        case X509_V_ERR_CERT_REVOKED: .certificateRevoked
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: .malformed
        default: .untrustedSigner
        }
    }

    /// OpenSSL's text, e.g. "certificate has expired".
    var text: String {
        String(cString: X509_verify_cert_error_string(Int(code)))
    }

    /// Failures that arise before OpenSSL looks at any time (building the chain, trusting its
    /// top, revocation), so they hold at every verification time while the CRLs are current.
    var isIndependentOfTime: Bool {
        [
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_CERT_REVOKED,
        ].contains(code)
    }

    func error(file: String = #fileID, line: Int = #line) -> SigningError {
        SigningError(reason, "the signer's certificate chain does not verify: \(text)", file: file, line: line)
    }
}

extension X509VerifyError {
    static let expired = X509_V_ERR_CERT_HAS_EXPIRED
    static let notYetValid = X509_V_ERR_CERT_NOT_YET_VALID
}
