internal import COpenSSL
public import Foundation

/// A development PKI for demos and tests (`docrelay pki`): a root CA, agency, hub and
/// intermediate certificates, CRLs. X.509 v3, random serials, SHA-256, subjects
/// `CN=<common name>,O=<organisation>,C=VN` in UTF-8, basic constraints and key usage
/// (digitalSignature; keyCertSign and cRLSign for CAs), subject and authority key identifiers.
/// Not for production: keys are whatever the caller made and nothing is audited.
public enum DevelopmentPKI {
    /// A self-signed root CA certificate for `key`.
    public static func makeCA(
        commonName: String, organization: String, key: PrivateKey, validFrom: Date, validFor: TimeInterval
    ) throws(SigningError) -> Certificate {
        try build(
            commonName: commonName, organization: organization, subjectKey: key,
            issuer: nil, issuerKey: key, validFrom: validFrom, validFor: validFor, isCA: true)
    }

    /// A certificate for `subjectKey` signed by `issuer` (whose key is `issuerKey`): an agency
    /// or hub certificate, or with `isCA` an intermediate CA.
    public static func issue(
        commonName: String, organization: String, subjectKey: PrivateKey,
        issuer: Certificate, issuerKey: PrivateKey, validFrom: Date, validFor: TimeInterval, isCA: Bool = false
    ) throws(SigningError) -> Certificate {
        try build(
            commonName: commonName, organization: organization, subjectKey: subjectKey,
            issuer: issuer, issuerKey: issuerKey, validFrom: validFrom, validFor: validFor, isCA: isCA)
    }

    private static func build(
        commonName: String, organization: String, subjectKey: PrivateKey,
        issuer: Certificate?, issuerKey: PrivateKey, validFrom: Date, validFor: TimeInterval, isCA: Bool
    ) throws(SigningError) -> Certificate {
        guard validFor > 0, let from = ASN1Time.verificationSeconds(validFrom),
              let until = ASN1Time.verificationSeconds(validFrom.addingTimeInterval(validFor))
        else {
            throw SigningError(.malformed, "a certificate needs a positive validity within the years 1 to 9999")
        }
        OpenSSLErrorQueue.clear()
        guard let x509 = X509_new() else { throw .openSSL(.io, "cannot allocate a certificate") }
        var handedOver = false
        defer { if !handedOver { X509_free(x509) } }

        guard X509_set_version(x509, 2) == 1 else { throw .openSSL(.io, "cannot set the certificate version") }
        try setRandomSerial(X509_get_serialNumber(x509))
        let name = try X509Name(commonName: commonName, organization: organization)
        guard name.withName({ X509_set_subject_name(x509, $0) }) == 1 else {
            throw .openSSL(.malformed, "cannot set the subject name")
        }
        let issuerSet = issuer?.withX509 { X509_set_issuer_name(x509, X509_get_subject_name($0)) }
            ?? X509_set_issuer_name(x509, X509_get_subject_name(x509))
        guard issuerSet == 1 else {
            throw .openSSL(.malformed, "cannot set the issuer name")
        }
        guard ASN1_TIME_set(X509_getm_notBefore(x509), ASN1Time.timeT(from)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x509), ASN1Time.timeT(until)) != nil
        else { throw .openSSL(.malformed, "cannot set the validity period") }
        guard subjectKey.withPKey({ X509_set_pubkey(x509, $0) }) == 1 else {
            throw .openSSL(.invalidKey, "cannot set the subject's public key")
        }

        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, isCA ? "critical,CA:TRUE" : "critical,CA:FALSE"),
            (NID_key_usage, isCA ? "critical,digitalSignature,keyCertSign,cRLSign" : "critical,digitalSignature"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ]
        try withCertificateContext(issuer: issuer, subject: x509) { (context) throws(SigningError) in
            for (nid, value) in extensions {
                guard let ext = X509V3_EXT_conf_nid(nil, context, nid, value) else {
                    throw .openSSL(.malformed, "cannot make the extension \(value)")
                }
                defer { X509_EXTENSION_free(ext) }
                guard X509_add_ext(x509, ext, -1) == 1 else {
                    throw .openSSL(.malformed, "cannot add the extension \(value)")
                }
            }
        }
        let signed = FetchedDigest.sha256.withMD { md in issuerKey.withPKey { X509_sign(x509, $0, md) } }
        guard signed > 0 else { throw .openSSL(.invalidKey, "cannot sign the certificate") }
        handedOver = true
        return try Certificate(takingOwnership: x509)
    }

    /// Runs `body` with an `X509V3_CTX` for extensions of `subject` issued by `issuer`
    /// (the subject itself when self-signed).
    private static func withCertificateContext(
        issuer: Certificate?, subject: OpaquePointer, _ body: (UnsafeMutablePointer<X509V3_CTX>) throws(SigningError) -> Void
    ) throws(SigningError) {
        var context = X509V3_CTX()
        if let issuer {
            try issuer.withX509 { (issuerX509) throws(SigningError) in
                X509V3_set_ctx(&context, issuerX509, subject, nil, nil, 0)
                try body(&context)
            }
        } else {
            X509V3_set_ctx(&context, subject, subject, nil, nil, 0)
            try body(&context)
        }
    }

    /// A random positive 127-bit serial number (RFC 5280 allows up to 20 octets).
    static func setRandomSerial(_ serial: UnsafeMutablePointer<ASN1_INTEGER>?) throws(SigningError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else {
            throw .openSSL(.io, "no random bytes for a serial number")
        }
        bytes[0] = (bytes[0] & 0x7F) | 0x40
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw .openSSL(.io, "cannot make a serial number")
        }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, serial) != nil else {
            throw .openSSL(.io, "cannot set a serial number")
        }
    }
}
