internal import COpenSSL
public import Foundation

/// Signs many contents with one identity, in the contract's form (a DER CMS SignedData,
/// detached, SHA-256, the signer's certificate included, signed attributes contentType,
/// signingTime and messageDigest), without OpenSSL's CMS builder: what is the same for every
/// signature (certificates, signer identifier, algorithm identifiers) is encoded once; each
/// signature encodes its three attributes, signs them with EVP and splices. For the relay's
/// acks, one per delivery. OpenSSL's `CMS_verify` accepts what it makes (tested).
///
/// RSA keys sign with PKCS#1 v1.5, EC keys with ECDSA; both over SHA-256.
public final class PreparedSigner: Sendable {
    private let key: PrivateKey
    /// The SignedData's digest algorithms, encapsulated content info and certificates.
    private let signedDataPrefix: [UInt8]
    /// SignerInfo's version, signer identifier and digest algorithm.
    private let signerInfoPrefix: [UInt8]
    private let signatureAlgorithm: [UInt8]

    public init(identity: SigningIdentity) throws(SigningError) {
        key = identity.key
        let (issuer, serial) = try Self.issuerAndSerial(identity.certificate)
        let certificates = ([identity.certificate] + identity.chain).flatMap(\.der)
        signedDataPrefix = DER.integer(1)
            + DER.tlv(0x31, DER.sha256Algorithm)
            + DER.tlv(0x30, DER.oidData)
            + DER.tlv(0xA0, certificates)
        signerInfoPrefix = DER.integer(1) + DER.tlv(0x30, issuer + serial) + DER.sha256Algorithm
        switch identity.key.kind {
        case .rsa: signatureAlgorithm = DER.tlv(0x30, DER.oidRSAEncryption + [0x05, 0x00])
        case .ecP256: signatureAlgorithm = DER.tlv(0x30, DER.oidECDSAWithSHA256)
        }
    }

    /// The DER CMS SignedData over `content`, signed at `time`.
    public func sign(_ content: [UInt8], at time: Date = Date()) throws(SigningError) -> [UInt8] {
        let attributes = [
            DER.tlv(0x30, DER.oidContentType + DER.tlv(0x31, DER.oidData)),
            DER.tlv(0x30, DER.oidSigningTime + DER.tlv(0x31, DER.utcTime(time))),
            DER.tlv(0x30, DER.oidMessageDigest + DER.tlv(0x31, DER.tlv(0x04, SHA256Digest.hash(content)))),
        ].sorted { $0.lexicographicallyPrecedes($1) }  // DER: a SET OF in order of its encodings
        let attributeBytes = attributes.flatMap { $0 }
        let signature = try signature(over: DER.tlv(0x31, attributeBytes))
        let signerInfo = DER.tlv(0x30, signerInfoPrefix + DER.tlv(0xA0, attributeBytes) + signatureAlgorithm
            + DER.tlv(0x04, signature))
        let signedData = DER.tlv(0x30, signedDataPrefix + DER.tlv(0x31, signerInfo))
        return DER.tlv(0x30, DER.oidSignedData + DER.tlv(0xA0, signedData))
    }

    /// EVP_DigestSign with SHA-256 over `message`.
    private func signature(over message: [UInt8]) throws(SigningError) -> [UInt8] {
        OpenSSLErrorQueue.clear()
        guard let context = EVP_MD_CTX_new() else { throw .openSSL(.io, "cannot allocate a digest context") }
        defer { EVP_MD_CTX_free(context) }
        return try FetchedDigest.sha256.withMD { md throws(SigningError) -> [UInt8] in
            try key.withPKey { pkey throws(SigningError) -> [UInt8] in
                guard EVP_DigestSignInit(context, nil, md, nil, pkey) == 1 else {
                    throw .openSSL(.invalidKey, "cannot start a signature")
                }
                var length = 0
                guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
                    throw .openSSL(.invalidKey, "cannot size a signature")
                }
                var signature = [UInt8](repeating: 0, count: length)
                guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
                    throw .openSSL(.invalidKey, "cannot sign")
                }
                return Array(signature.prefix(length))
            }
        }
    }

    /// The DER of the certificate's issuer Name and serialNumber INTEGER.
    private static func issuerAndSerial(_ certificate: Certificate) throws(SigningError) -> ([UInt8], [UInt8]) {
        try certificate.withX509 { x509 throws(SigningError) -> ([UInt8], [UInt8]) in
            guard let name = X509_get_issuer_name(x509), let serial = X509_get0_serialNumber(x509) else {
                throw .openSSL(.malformed, "a certificate without issuer or serial number")
            }
            return (try encoded { i2d_X509_NAME(name, $0) }, try encoded { i2d_ASN1_INTEGER(serial, $0) })
        }
    }

    private static func encoded(_ i2d: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws(SigningError) -> [UInt8] {
        let length = i2d(nil)
        guard length > 0 else { throw .openSSL(.malformed, "cannot encode a certificate field") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d(&cursor)
        }
        guard written == length else { throw .openSSL(.malformed, "cannot encode a certificate field") }
        return bytes
    }
}

/// The little DER `PreparedSigner` writes.
enum DER {
    static let oidSignedData: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
    static let oidData: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
    static let oidContentType: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03]
    static let oidMessageDigest: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]
    static let oidSigningTime: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]
    static let oidRSAEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    static let oidECDSAWithSHA256: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
    /// AlgorithmIdentifier sha256, parameters absent (as OpenSSL's CMS writes it).
    static let sha256Algorithm: [UInt8] = tlv(0x30, [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01])

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func length(_ count: Int) -> [UInt8] {
        guard count >= 0x80 else { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func integer(_ value: UInt8) -> [UInt8] { [0x02, 0x01, value] }

    /// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049, as RFC 5652 wants for signingTime), computed
    /// from the epoch without a calendar (one per signature would cost more than the rest).
    static func utcTime(_ date: Date) -> [UInt8] {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var text: [UInt8] = []
        for value in [year % 100, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60] {
            text.append(UInt8(ascii: "0") + UInt8(value / 10))
            text.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        text.append(UInt8(ascii: "Z"))
        return tlv(0x17, text)
    }
}
