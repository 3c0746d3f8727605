internal import COpenSSL
public import Foundation

extension Certificate {
    /// The PEM encoding (`-----BEGIN CERTIFICATE-----`, base64 of `der`, line-wrapped).
    public var pem: String {
        guard let bio = try? MemoryBIO() else { return "" }
        let written = withX509 { PEM_write_bio_X509(bio.pointer, $0) }
        OpenSSLErrorQueue.clear()
        return written == 1 ? bio.text : ""
    }

    /// The subject as RFC 2253 text in UTF-8, most specific first,
    /// e.g. `CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN`.
    public var subject: String {
        withX509 { Self.rfc2253(X509_get_subject_name($0)) }
    }

    /// The issuer, in the same form as `subject`.
    public var issuer: String {
        withX509 { Self.rfc2253(X509_get_issuer_name($0)) }
    }

    /// The start of the validity period.
    public var notBefore: Date {
        withX509 { ASN1Time.date(X509_get0_notBefore($0)) }
    }

    /// The end of the validity period.
    public var notAfter: Date {
        withX509 { ASN1Time.date(X509_get0_notAfter($0)) }
    }

    /// The serial number as lowercase hex, without leading zeros (`-` first if negative).
    public var serialNumberHex: String {
        withX509 { x509 in
            guard let serial = X509_get0_serialNumber(x509),
                  let number = ASN1_INTEGER_to_BN(serial, nil)
            else { return "" }
            defer { BN_free(number) }
            guard let hex = BN_bn2hex(number) else { return "" }
            defer { CDocRelayOpenSSL_free(hex) }
            var text = String(cString: hex).lowercased()
            let negative = text.hasPrefix("-")
            if negative { text.removeFirst() }
            while text.count > 1, text.hasPrefix("0") { text.removeFirst() }
            return negative ? "-" + text : text
        }
    }

    /// Whether the basic constraints extension marks this certificate a CA.
    public var isCA: Bool {
        withX509 { (X509_get_extension_flags($0) & UInt32(EXFLAG_CA)) != 0 }
    }

    /// `name` printed with `XN_FLAG_RFC2253`, UTF-8 left unescaped.
    static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        guard X509_NAME_print_ex(bio.pointer, name, 0, CDocRelayOpenSSL_nameFlagsRFC2253UTF8()) >= 0 else {
            OpenSSLErrorQueue.clear()
            return ""
        }
        return bio.text
    }
}
