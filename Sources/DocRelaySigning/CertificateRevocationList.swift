internal import COpenSSL
public import Foundation

/// A certificate revocation list (X.509 CRL), parsed by OpenSSL (it owns an `X509_CRL*`).
public final class CertificateRevocationList: @unchecked Sendable {
    // @unchecked Sendable: the X509_CRL is never modified after init; OpenSSL's lookups in it
    // (made while verifying chains, from any thread) take the CRL's own lock.
    private let pointer: OpaquePointer

    /// Takes over one reference to `crl`.
    init(takingOwnership crl: OpaquePointer) {
        pointer = crl
    }

    deinit {
        X509_CRL_free(pointer)
    }

    /// Parses one DER CRL; bytes after it are refused.
    public convenience init(der bytes: [UInt8]) throws(SigningError) {
        OpenSSLErrorQueue.clear()
        let parsed: (OpaquePointer?, Int) = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (nil, 0) }
            var cursor: UnsafePointer<UInt8>? = base
            let crl = d2i_X509_CRL(nil, &cursor, buffer.count)
            return (crl, cursor.map { base.distance(to: $0) } ?? 0)
        }
        guard let crl = parsed.0 else {
            throw .openSSL(.malformed, "not a DER X.509 CRL")
        }
        guard parsed.1 == bytes.count else {
            X509_CRL_free(crl)
            OpenSSLErrorQueue.clear()
            throw SigningError(.malformed, "\(bytes.count - parsed.1) bytes after the DER CRL")
        }
        self.init(takingOwnership: crl)
    }

    /// Parses the first CRL of a PEM text (`-----BEGIN X509 CRL-----`).
    public convenience init(pem: String) throws(SigningError) {
        let crl = try ReadOnlyBIO.with(text: pem) { (bio) throws(SigningError) -> OpaquePointer in
            OpenSSLErrorQueue.clear()
            guard let crl = PEM_read_bio_X509_CRL(bio, nil, nil, nil) else {
                throw .openSSL(.malformed, "no PEM CRL")
            }
            return crl
        }
        self.init(takingOwnership: crl)
    }

    /// Every CRL of a PEM file, in file order; at least one.
    public static func load(pemFile path: String) throws(SigningError) -> [CertificateRevocationList] {
        let bytes = try FileBytes.read(path)
        let crls = try ReadOnlyBIO.with(bytes) { (bio) throws(SigningError) -> [CertificateRevocationList] in
            OpenSSLErrorQueue.clear()
            var found: [CertificateRevocationList] = []
            while let crl = PEM_read_bio_X509_CRL(bio, nil, nil, nil) {
                found.append(CertificateRevocationList(takingOwnership: crl))
            }
            let damaged = OpenSSLErrorQueue.drain().filter {
                !($0.library == ERR_LIB_PEM && $0.reason == PEM_R_NO_START_LINE)
            }
            guard damaged.isEmpty else {
                throw SigningError(.malformed, "a damaged PEM CRL in \(path): "
                    + damaged.map(\.description).joined(separator: "; "))
            }
            return found
        }
        guard !crls.isEmpty else { throw SigningError(.malformed, "\(path) holds no PEM CRL") }
        return crls
    }

    /// The DER encoding.
    public var der: [UInt8] {
        withCRL { crl in
            var buffer: UnsafeMutablePointer<UInt8>?
            let length = i2d_X509_CRL(crl, &buffer)
            guard length > 0, let buffer else {
                OpenSSLErrorQueue.clear()
                return []
            }
            defer { CDocRelayOpenSSL_free(buffer) }
            return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
        }
    }

    /// The PEM encoding (`-----BEGIN X509 CRL-----`).
    public var pem: String {
        guard let bio = try? MemoryBIO() else { return "" }
        let written = withCRL { PEM_write_bio_X509_CRL(bio.pointer, $0) }
        OpenSSLErrorQueue.clear()
        return written == 1 ? bio.text : ""
    }

    /// The issuer, as RFC 2253 text (see `Certificate.subject`).
    public var issuer: String {
        withCRL { Certificate.rfc2253(X509_CRL_get_issuer($0)) }
    }

    /// When the CRL was issued (`thisUpdate`).
    public var lastUpdate: Date {
        withCRL { ASN1Time.date(X509_CRL_get0_lastUpdate($0)) }
    }

    /// When the next CRL is due, if it says.
    public var nextUpdate: Date? {
        withCRL { crl in X509_CRL_get0_nextUpdate(crl).map { ASN1Time.date($0) } }
    }

    /// The period in which OpenSSL considers this CRL current (`lastUpdate` inclusive,
    /// `nextUpdate` exclusive, open-ended without one); `nil` if a time is not in RFC 5280 form.
    var validity: ValidityWindow? {
        withCRL { crl in
            guard let last = X509_CRL_get0_lastUpdate(crl), let from = ASN1Time.strictSeconds(last) else {
                return nil
            }
            guard let next = X509_CRL_get0_nextUpdate(crl) else {
                return ValidityWindow(notBefore: from, notAfter: .max)
            }
            guard let until = ASN1Time.strictSeconds(next) else { return nil }
            return ValidityWindow(notBefore: from, notAfter: until)
        }
    }

    /// Runs `body` with the `X509_CRL*`, valid only inside it.
    func withCRL<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer) }
    }
}
