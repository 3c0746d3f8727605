internal import COpenSSL
public import Foundation

extension DevelopmentPKI {
    /// One entry of a development CRL: the certificate revoked, when (nil: the CRL's
    /// `thisUpdate`) and, if given, why (the entry's `reasonCode` extension, RFC 5280 §5.3.1).
    public struct Revocation: Sendable {
        public var certificate: Certificate
        public var date: Date?
        public var reason: RevocationReason?

        public init(_ certificate: Certificate, at date: Date? = nil, reason: RevocationReason? = nil) {
            self.certificate = certificate
            self.date = date
            self.reason = reason
        }
    }

    /// A v2 CRL by `issuer` revoking `revoked` as of `at`: `lastUpdate` is `at`, `nextUpdate`
    /// `validFor` later; with an authority key identifier and a CRL number; SHA-256.
    public static func revocationList(
        issuer: Certificate, issuerKey: PrivateKey, revoked: [Certificate], at: Date,
        validFor: TimeInterval = 7 * 86_400
    ) throws(SigningError) -> CertificateRevocationList {
        try revocationList(
            issuer: issuer, issuerKey: issuerKey, revocations: revoked.map { Revocation($0) }, at: at, validFor: validFor)
    }

    /// A v2 CRL by `issuer` listing `revocations`, issued at `at` (its `thisUpdate`, RFC 5280
    /// §5.1.2.4), next due `validFor` seconds later (`nextUpdate`, §5.1.2.5); with an authority
    /// key identifier and a CRL number; SHA-256. Throws `.malformed` for a time outside the
    /// years 1 to 9999 or a validity that is not positive.
    public static func revocationList(
        issuer: Certificate, issuerKey: PrivateKey, revocations: [Revocation], at: Date,
        validFor: TimeInterval = 7 * 86_400
    ) throws(SigningError) -> CertificateRevocationList {
        guard validFor > 0, let from = ASN1Time.verificationSeconds(at),
              let until = ASN1Time.verificationSeconds(at.addingTimeInterval(validFor))
        else {
            throw SigningError(.malformed, "a CRL needs a positive validity within the years 1 to 9999")
        }
        OpenSSLErrorQueue.clear()
        guard let crl = X509_CRL_new() else { throw .openSSL(.io, "cannot allocate a CRL") }
        var handedOver = false
        defer { if !handedOver { X509_CRL_free(crl) } }

        guard X509_CRL_set_version(crl, 1) == 1,
              issuer.withX509({ X509_CRL_set_issuer_name(crl, X509_get_subject_name($0)) }) == 1
        else { throw .openSSL(.malformed, "cannot set the CRL's version and issuer") }
        try setTime(from) { X509_CRL_set1_lastUpdate(crl, $0) }
        try setTime(until) { X509_CRL_set1_nextUpdate(crl, $0) }
        for revocation in revocations {
            guard let second = ASN1Time.verificationSeconds(revocation.date ?? at) else {
                throw SigningError(.malformed, "a revocation date needs to be within the years 1 to 9999")
            }
            try addRevoked(revocation.certificate, at: second, reason: revocation.reason, to: crl)
        }
        guard X509_CRL_sort(crl) == 1 else { throw .openSSL(.malformed, "cannot sort the CRL") }

        var context = X509V3_CTX()
        try issuer.withX509 { (issuerX509) throws(SigningError) in
            X509V3_set_ctx(&context, issuerX509, nil, nil, crl, 0)
            guard let ext = X509V3_EXT_conf_nid(nil, &context, NID_authority_key_identifier, "keyid:always") else {
                throw .openSSL(.malformed, "cannot make the CRL's authority key identifier")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_CRL_add_ext(crl, ext, -1) == 1 else {
                throw .openSSL(.malformed, "cannot add the CRL's authority key identifier")
            }
        }
        guard let number = ASN1_INTEGER_new() else { throw .openSSL(.io, "cannot allocate a CRL number") }
        defer { ASN1_INTEGER_free(number) }
        guard ASN1_INTEGER_set_int64(number, max(from, 1)) == 1,
              X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) == 1
        else { throw .openSSL(.malformed, "cannot add the CRL number") }

        let signed = FetchedDigest.sha256.withMD { md in issuerKey.withPKey { X509_CRL_sign(crl, $0, md) } }
        guard signed > 0 else { throw .openSSL(.invalidKey, "cannot sign the CRL") }
        handedOver = true
        return CertificateRevocationList(takingOwnership: crl)
    }

    private static func addRevoked(
        _ certificate: Certificate, at second: Int64, reason: RevocationReason?, to crl: OpaquePointer
    ) throws(SigningError) {
        guard let entry = X509_REVOKED_new() else { throw .openSSL(.io, "cannot allocate a CRL entry") }
        var handedOver = false
        defer { if !handedOver { X509_REVOKED_free(entry) } }
        let serialSet = certificate.withX509 { x509 in
            X509_REVOKED_set_serialNumber(entry, UnsafeMutablePointer(mutating: X509_get0_serialNumber(x509)))
        }
        guard serialSet == 1 else { throw .openSSL(.malformed, "cannot set a revoked serial number") }
        try setTime(second) { X509_REVOKED_set_revocationDate(entry, $0) }
        if let reason {
            guard let code = ASN1_ENUMERATED_new() else { throw .openSSL(.io, "cannot allocate a reason code") }
            defer { ASN1_ENUMERATED_free(code) }
            guard ASN1_ENUMERATED_set(code, reason.code) == 1,
                  X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code, 0, 0) == 1
            else { throw .openSSL(.malformed, "cannot add the reason code \(reason)") }
        }
        guard X509_CRL_add0_revoked(crl, entry) == 1 else {
            throw .openSSL(.malformed, "cannot add a CRL entry")
        }
        handedOver = true
    }

    /// Makes an `ASN1_TIME` for `second`, hands it to `set` (which copies it), frees it.
    private static func setTime(
        _ second: Int64, _ set: (UnsafeMutablePointer<ASN1_TIME>) -> Int32
    ) throws(SigningError) {
        guard let time = ASN1_TIME_set(nil, ASN1Time.timeT(second)) else {
            throw .openSSL(.malformed, "cannot make a time")
        }
        defer { ASN1_TIME_free(time) }
        guard set(time) == 1 else { throw .openSSL(.malformed, "cannot set a time") }
    }
}
