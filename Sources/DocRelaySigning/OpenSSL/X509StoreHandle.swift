internal import COpenSSL

/// Owns an `X509_STORE*`: trusted certificates, CRLs and verification parameters.
final class X509StoreHandle: @unchecked Sendable {
    // @unchecked Sendable: a shared store is filled in init and never changed afterwards (a
    // store made for one CMS_verify call gets its verify callback before that call, on the
    // calling thread); OpenSSL locks the object list, so any number of X509_STORE_CTX may
    // verify against one store at once.
    private let pointer: OpaquePointer

    /// A store holding `certificates` (anchors and intermediates) and `crls`, with the
    /// parameters DocRelay verifies with: purpose any, CRL checks of the whole chain when CRLs
    /// are given, and, when `verificationTime` is set, that time instead of the clock.
    init(
        certificates: [Certificate], crls: [CertificateRevocationList], verificationTime: Int64?
    ) throws(SigningError) {
        guard let store = X509_STORE_new() else {
            throw .openSSL(.io, "cannot allocate an X509_STORE")
        }
        pointer = store
        for certificate in certificates {
            guard certificate.withX509({ X509_STORE_add_cert(store, $0) }) == 1 else {
                throw .openSSL(.malformed, "cannot add \(certificate.subject) to the trust store")
            }
        }
        for crl in crls {
            guard crl.withCRL({ X509_STORE_add_crl(store, $0) }) == 1 else {
                throw .openSSL(.malformed, "cannot add the CRL of \(crl.issuer) to the trust store")
            }
        }
        if !crls.isEmpty {
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        guard X509_STORE_set_purpose(store, X509_PURPOSE_ANY) == 1 else {
            throw .openSSL(.io, "cannot set the verification purpose")
        }
        if let verificationTime, let parameters = X509_STORE_get0_param(store) {
            X509_VERIFY_PARAM_set_time(parameters, ASN1Time.timeT(verificationTime))
        }
    }

    deinit {
        X509_STORE_free(pointer)
    }

    /// Runs `body` with the `X509_STORE*`, valid only inside it.
    func withStore<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer) }
    }
}
