internal import COpenSSL

/// The slow half of the fast verifier, done once per cache entry: OpenSSL decodes the whole
/// signature (certificates included) and validates the signer's chain with the same store,
/// untrusted certificates, parameters and verify callback `CMS_verify` uses, but without a time
/// (`X509_V_FLAG_NO_CHECK_TIME`); the chain's validity periods are kept so any time can be
/// judged later as OpenSSL would. CRLs need no time: their own periods are judged at load, not
/// at the verification time, by the reference too (`VerifyErrorRecorder`).
enum SignerValidation {
    /// The cache entry for the certificates and signer identifier of `signature`; `nil` when
    /// this signature cannot be judged here for a reason of its own (OpenSSL cannot decode it),
    /// which must not be cached: another signature with the same certificates may be fine, and
    /// a forged one must not make an agency's certificate slow for everyone.
    static func validate(signature: [UInt8], trust: TrustStore) -> CachedSigner? {
        // With two certificates of one subject, OpenSSL prefers the issuer valid at the
        // verification time, so the chain itself may depend on the time: judge each time.
        guard !trust.hasAmbiguousSubjects else { return .delegated }
        guard let cms = try? CMSContentInfo.parse(signature) else { return nil }
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let signerInfos = CMS_get0_SignerInfos(cms.pointer),
              CDocRelayOpenSSL_sk_CMS_SignerInfo_num(signerInfos) == 1,
              let signerInfo = CDocRelayOpenSSL_sk_CMS_SignerInfo_value(signerInfos, 0)
        else { return nil }
        guard CMS_set1_signers_certs(cms.pointer, nil, 0) >= 0 else { return .delegated }
        var signerPointer: OpaquePointer?
        CMS_SignerInfo_get0_algs(signerInfo, nil, &signerPointer, nil, nil)
        guard let signer = signerPointer, let certificatesStack = CMS_get1_certs(cms.pointer) else {
            return .delegated
        }
        let certificates = X509Stack(takingOwnership: certificatesStack)
        if let crls = CMS_get1_crls(cms.pointer) {
            CDocRelayOpenSSL_sk_X509_CRL_pop_free(crls)
            return .delegated
        }
        // `signer` belongs to `cms`, and the X509_STORE_CTX borrows `certificates` without a
        // reference: both must outlive the validation (release builds free them after their
        // last visible use otherwise).
        return withExtendedLifetime((cms, certificates)) {
            validate(signer: signer, untrusted: certificates, trust: trust)
        }
    }

    private static func validate(signer: OpaquePointer, untrusted certificates: X509Stack, trust: TrustStore) -> CachedSigner {
        guard !hasAmbiguousSubjects(certificates, trust: trust) else { return .delegated }
        guard let context = X509_STORE_CTX_new() else { return .delegated }
        defer { X509_STORE_CTX_free(context) }
        let initialised = trust.sharedStore.withStore { X509_STORE_CTX_init(context, $0, signer, certificates.pointer) }
        guard initialised == 1, X509_STORE_CTX_set_default(context, "smime_sign") == 1 else { return .delegated }
        X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_NO_CHECK_TIME))
        // The reference's callback, on this context only: the same errors, worded alike.
        let recorder = VerifyErrorRecorder(crls: trust.crls)
        let verified = recorder.recording(onContext: context) {
            trust.sharedStore.withStore { _ in X509_verify_cert(context) }
        }
        guard verified == 1 else {
            let error = recorder.firstError ?? X509VerifyError(code: X509_STORE_CTX_get_error(context))
            return error.isIndependentOfTime ? .rejected(error) : .delegated
        }
        guard let chain = X509_STORE_CTX_get0_chain(context),
              let windows = validityWindows(chain),
              let key = SignerPublicKey(certificate: signer),
              let certificate = try? Certificate(copying: signer)
        else { return .delegated }
        return .validated(ValidatedSigner(
            signer: VerifiedSigner(certificate: certificate), key: key, windows: windows,
            usageRefusal: SignaturePolicy.usageRefusal(signer)))
    }

    /// The validity periods of `chain` (signer first, as OpenSSL builds it), anchor first.
    private static func validityWindows(_ chain: OpaquePointer) -> [ValidityWindow]? {
        let count = Int(CDocRelayOpenSSL_sk_X509_num(chain))
        guard count > 0 else { return nil }
        var windows: [ValidityWindow] = []
        for index in (0..<count).reversed() {
            guard let x509 = CDocRelayOpenSSL_sk_X509_value(chain, Int32(index)),
                  let notBefore = X509_get0_notBefore(x509), let from = ASN1Time.strictSeconds(notBefore),
                  let notAfter = X509_get0_notAfter(x509), let until = ASN1Time.strictSeconds(notAfter)
            else { return nil }
            windows.append(ValidityWindow(notBefore: from, notAfter: until))
        }
        return windows
    }

    /// Whether two different certificates among those embedded and the store's share a subject.
    private static func hasAmbiguousSubjects(_ certificates: X509Stack, trust: TrustStore) -> Bool {
        let embedded = (0..<certificates.count).compactMap { certificates.borrowed($0) }
        for (position, x509) in embedded.enumerated() {
            if trust.holdsOtherCertificate(withSubjectOf: x509) { return true }
            for other in embedded[(position + 1)...]
            where X509_NAME_cmp(X509_get_subject_name(x509), X509_get_subject_name(other)) == 0
                && X509_cmp(x509, other) != 0 {
                return true
            }
        }
        return false
    }
}
