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

    /// Whether `thisUpdate` and `nextUpdate` (when present) have the RFC 5280 form OpenSSL
    /// compares (§5.1.2.4-5: UTCTime or GeneralizedTime in Zulu, to the second); a CRL without it
    /// would make every chain its issuer covers fail, so a `TrustStore` refuses it.
    var hasComparableTimes: Bool {
        withCRL { crl in
            guard let last = X509_CRL_get0_lastUpdate(crl), ASN1Time.strictSeconds(last) != nil else { return false }
            return X509_CRL_get0_nextUpdate(crl).map { ASN1Time.strictSeconds($0) != nil } ?? true
        }
    }

    /// The key identifier of the authority key identifier extension (RFC 5280 §5.2.1), if any:
    /// it tells the CRLs of two CAs with one name apart (a CA renewed with a new key).
    var authorityKeyIdentifier: [UInt8]? {
        withCRL { crl in
            var critical: Int32 = 0
            guard let raw = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &critical, nil) else {
                OpenSSLErrorQueue.clear()
                return nil
            }
            let identifier = raw.assumingMemoryBound(to: AUTHORITY_KEYID.self)
            defer { AUTHORITY_KEYID_free(identifier) }
            guard let keyID = identifier.pointee.keyid, let data = ASN1_STRING_get0_data(keyID) else { return nil }
            return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(keyID))))
        }
    }

    /// Whether `other` comes from the same CA: the same issuer name and authority key identifier.
    func hasSameIssuer(as other: CertificateRevocationList) -> Bool {
        let sameName = withCRL { crl in other.withCRL { X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_CRL_get_issuer($0)) == 0 } }
        return sameName && authorityKeyIdentifier == other.authorityKeyIdentifier
    }

    /// Runs `body` with the `X509_CRL*`, valid only inside it.
    func withCRL<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer) }
    }
}

extension CertificateRevocationList {
    /// A CRL's own period judged at a time (RFC 5280 §5.1.2.4-5, §6.3.3 (a)): issued and not yet
    /// past its `nextUpdate`, issued later than that time, or past its `nextUpdate`. Not
    /// exhaustive.
    public struct State: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name: `current`, `notYetValid`, `expired`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// `thisUpdate` is at most `clockSkew` after the time, and `nextUpdate` (if any) not before it.
        public static let current = State("current")
        /// `thisUpdate` is more than `clockSkew` after the time: a CRL from the future (a wrong
        /// clock here or at the CA). Refused when the trust is loaded.
        public static let notYetValid = State("notYetValid")
        /// `nextUpdate` is before the time: a newer CRL is due. Its revocations still apply (better
        /// than none) and the daemons report it.
        public static let expired = State("expired")

        public var description: String { name }
    }

    /// How far a CRL's `thisUpdate` may be ahead of the clock and still count as issued: 5 min,
    /// for clocks that are not quite in step.
    public static let clockSkew: TimeInterval = 300

    /// This CRL's state at `now`.
    public func state(at now: Date) -> State {
        if lastUpdate.timeIntervalSince(now) > Self.clockSkew { return .notYetValid }
        if let nextUpdate, nextUpdate < now { return .expired }
        return .current
    }
}
