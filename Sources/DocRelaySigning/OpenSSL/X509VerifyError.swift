internal import COpenSSL

/// An error of OpenSSL's chain verification (`X509_V_ERR_*`) and the reason DocRelay gives it,
/// with what OpenSSL's text leaves out where it matters: for a revoked certificate, which one,
/// when, why and by whose CRL (`RevocationText`).
struct X509VerifyError: Hashable, Sendable {
    let code: Int32
    /// Said after OpenSSL's text; for `X509_V_ERR_CERT_REVOKED`, the revocation.
    var detail: String?

    init(code: Int32, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

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

    /// The refusal as both verifiers word it: "the signer's certificate chain does not verify:
    /// certificate revoked: CN=… serial 0x1A2B revoked at 2026-11-30T08:00:00Z (keyCompromise)
    /// by the CRL of CN=…".
    var message: String {
        "the signer's certificate chain does not verify: \(text)" + (detail.map { ": \($0)" } ?? "")
    }

    /// Failures that arise before OpenSSL looks at any time (building the chain, trusting its
    /// top, revocation), so they hold at every verification time. Revocation is one since a
    /// CRL's own period is not judged at the verification time (`VerifyErrorRecorder`) and an
    /// entry's revocation date is not compared with it.
    var isIndependentOfTime: Bool {
        [
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_CERT_REVOKED,
        ].contains(code)
    }

    func error(file: String = #fileID, line: Int = #line) -> SigningError {
        SigningError(reason, message, file: file, line: line)
    }
}

extension X509VerifyError {
    static let expired = X509_V_ERR_CERT_HAS_EXPIRED
    static let notYetValid = X509_V_ERR_CERT_NOT_YET_VALID

    /// The errors of a CRL's own period at the verification time (RFC 5280 §6.3.3 (a)(1)-(2):
    /// thisUpdate and nextUpdate). OpenSSL 3 has no separate codes for delta CRLs (it uses these,
    /// and DocRelay does not enable delta CRLs: `X509_V_FLAG_USE_DELTAS` is off). DocRelay judges
    /// a CRL's period when it loads it, at now (`TrustStore.crlStatuses(at:)`), so these are
    /// overridden during verification.
    static let crlPeriod: Set<Int32> = [X509_V_ERR_CRL_NOT_YET_VALID, X509_V_ERR_CRL_HAS_EXPIRED]
}
