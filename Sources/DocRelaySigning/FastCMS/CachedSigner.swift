/// What the fast verifier remembers about one set of embedded certificates and signer
/// identifier, checked against one trust store: the outcome of one full chain validation by
/// OpenSSL, made without a verification time, and what is needed to apply it at any time.
enum CachedSigner: Sendable {
    /// The chain validated: `signer`'s key verifies the signatures; `windows` are the validity
    /// periods of the chain from the anchor down to the signer, the order OpenSSL checks them in.
    case validated(ValidatedSigner)
    /// The chain fails for a reason that does not depend on the time (no path to an anchor,
    /// revoked): every signature with these certificates is refused the same way, with the
    /// same text (a revocation's detail included).
    case rejected(X509VerifyError)
    /// A case OpenSSL must judge each time (an ambiguous issuer, a failure that depends on the
    /// time, an unusual key or time encoding).
    case delegated
}

/// A signer whose chain OpenSSL validated, with its key ready for `EVP_DigestVerify`.
struct ValidatedSigner: Sendable {
    let signer: VerifiedSigner
    let key: SignerPublicKey
    /// The chain's validity periods, anchor first, signer last.
    let windows: [ValidityWindow]
    /// Why the signer certificate may not sign documents (`SignaturePolicy.usageRefusal`),
    /// judged once; given after the signature checks, where the reference gives it.
    let usageRefusal: String?

    /// The error OpenSSL's chain check gives at `second`, or `nil` when every certificate of
    /// the chain is valid then: like OpenSSL's `internal_verify`, from the anchor down, each
    /// certificate's `notBefore` before its `notAfter`.
    func timeError(at second: Int64) -> X509VerifyError? {
        for window in windows {
            if second < window.notBefore { return X509VerifyError(code: X509VerifyError.notYetValid) }
            if second >= window.notAfter { return X509VerifyError(code: X509VerifyError.expired) }
        }
        return nil
    }
}
