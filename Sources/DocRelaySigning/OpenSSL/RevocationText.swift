internal import COpenSSL
import Foundation

/// How a refusal names a revocation: the certificate (its subject and serial), the entry's
/// revocation date and reason code (RFC 5280 §5.3.1), and the issuer of the CRL that lists it:
/// `CN=… serial 0x1A2B revoked at 2026-11-30T08:00:00Z (keyCompromise) by the CRL of CN=…`.
enum RevocationText {
    /// The text for `certificate` as `crl` revokes it; without `crl`, or when `crl` has no entry
    /// for it, what the certificate alone says.
    static func describe(certificate: OpaquePointer, crl: OpaquePointer?) -> String {
        var text = "\(Certificate.rfc2253(X509_get_subject_name(certificate))) serial \(serialHex(certificate))"
        guard let crl else { return text }
        var entry: OpaquePointer?
        if X509_CRL_get0_by_cert(crl, &entry, certificate) != 0, let entry {
            if let date = X509_REVOKED_get0_revocationDate(entry), let seconds = ASN1Time.seconds(date) {
                text += " revoked at \(ASN1Time.rfc3339(seconds))"
            }
            if let reason = reason(of: entry) {
                text += " (\(reason))"
            }
        }
        OpenSSLErrorQueue.clear()
        return text + " by the CRL of \(Certificate.rfc2253(X509_CRL_get_issuer(crl)))"
    }

    /// `0x` and the serial number in upper-case hex without leading zeros (`-0x…` if negative).
    static func serialHex(_ certificate: OpaquePointer) -> String {
        guard let serial = X509_get0_serialNumber(certificate), let number = ASN1_INTEGER_to_BN(serial, nil) else {
            return "unknown"
        }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "unknown" }
        defer { CDocRelayOpenSSL_free(hex) }
        var digits = String(cString: hex).uppercased()
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst() }
        return (negative ? "-0x" : "0x") + digits
    }

    /// The entry's reason code by its RFC 5280 name, or `reason <n>` for one it does not name.
    private static func reason(of entry: OpaquePointer) -> String? {
        var critical: Int32 = 0
        guard let raw = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nil) else { return nil }
        let enumerated = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
        defer { ASN1_ENUMERATED_free(enumerated) }
        let code = ASN1_ENUMERATED_get(enumerated)
        return RevocationReason(code: code).map(\.name) ?? "reason \(code)"
    }
}
