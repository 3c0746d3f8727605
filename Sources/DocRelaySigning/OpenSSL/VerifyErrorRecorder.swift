internal import COpenSSL

/// OpenSSL's verify callback for DocRelay's chain checks, and the first error it saw.
///
/// - It catches the first chain-verification error, which `CMS_verify` otherwise reports only
///   as text; for a revoked certificate, with the revocation (`RevocationText`), read while
///   OpenSSL still holds the certificate and the CRL that lists it.
/// - It overrides the errors of a CRL's own period (`X509VerifyError.crlPeriod`): the chain is
///   checked at the verification time (the record's `dr-created`, chosen by the signer), but a
///   CRL's thisUpdate and nextUpdate are judged when the trust is loaded, at now. A CRL issued
///   after a document was signed still applies, and an expired one still revokes what it lists.
///
/// Installed on a store made for one `CMS_verify` call (the store's ex-data points at the
/// recorder), or on one `X509_STORE_CTX` of a shared store (its own ex-data); the recorder
/// outlives the call either way.
final class VerifyErrorRecorder {
    private(set) var firstError: X509VerifyError?
    /// The CRLs of the store, to name the one that revokes a certificate when OpenSSL no longer
    /// says (it forgets its current CRL once it has judged the CRL's period).
    private let crls: [CertificateRevocationList]

    init(crls: [CertificateRevocationList]) {
        self.crls = crls
    }

    /// The ex-data slots that hold the recorder: of an `X509_STORE`, of an `X509_STORE_CTX`.
    private static let storeSlot: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509_STORE, 0, nil, nil, nil, nil)
    private static let contextSlot: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509_STORE_CTX, 0, nil, nil, nil, nil)

    /// Installs the recorder on `store` and runs `body`; the store must not be used after it.
    func recording<R, E: Error>(on store: X509StoreHandle, _ body: () throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in
            store.withStore { pointer in
                X509_STORE_set_ex_data(pointer, Self.storeSlot, Unmanaged.passUnretained(self).toOpaque())
                X509_STORE_set_verify_cb(pointer, recordingCallback)
            }
            defer { store.withStore { _ = X509_STORE_set_ex_data($0, Self.storeSlot, nil) } }
            return try body()
        }
    }

    /// Installs the recorder on the initialised `context` only (its store stays untouched, so
    /// a shared store may serve other verifications meanwhile) and runs `body`.
    func recording<R>(onContext context: OpaquePointer, _ body: () -> R) -> R {
        withExtendedLifetime(self) {
            X509_STORE_CTX_set_ex_data(context, Self.contextSlot, Unmanaged.passUnretained(self).toOpaque())
            X509_STORE_CTX_set_verify_cb(context, recordingCallback)
            defer { _ = X509_STORE_CTX_set_ex_data(context, Self.contextSlot, nil) }
            return body()
        }
    }

    fileprivate func record(_ code: Int32, context: OpaquePointer) {
        guard firstError == nil else { return }
        var detail: String?
        if code == X509_V_ERR_CERT_REVOKED, let certificate = X509_STORE_CTX_get_current_cert(context) {
            let crl = X509_STORE_CTX_get0_current_crl(context) ?? listing(certificate)
            detail = RevocationText.describe(certificate: certificate, crl: crl)
        }
        firstError = X509VerifyError(code: code, detail: detail)
    }

    /// The `X509_CRL*` of the store's CRL that lists `certificate` (its issuer's name and serial).
    private func listing(_ certificate: OpaquePointer) -> OpaquePointer? {
        for crl in crls {
            let pointer = crl.withCRL { crl -> OpaquePointer? in
                var entry: OpaquePointer?
                return X509_CRL_get0_by_cert(crl, &entry, certificate) != 0 ? crl : nil
            }
            if let pointer { return pointer }
        }
        return nil
    }

    fileprivate static func recorder(of context: OpaquePointer) -> VerifyErrorRecorder? {
        if let raw = X509_STORE_CTX_get_ex_data(context, contextSlot) {
            return Unmanaged<VerifyErrorRecorder>.fromOpaque(raw).takeUnretainedValue()
        }
        guard let store = X509_STORE_CTX_get0_store(context),
              let raw = X509_STORE_get_ex_data(store, storeSlot)
        else { return nil }
        return Unmanaged<VerifyErrorRecorder>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// OpenSSL's verify callback: lets a CRL's period pass (judged at load, see above), notes any
/// other failure and leaves its verdict unchanged.
private let recordingCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
    guard ok == 0, let context else { return ok }
    let code = X509_STORE_CTX_get_error(context)
    if X509VerifyError.crlPeriod.contains(code) { return 1 }
    VerifyErrorRecorder.recorder(of: context)?.record(code, context: context)
    return ok
}
