internal import COpenSSL

/// An X.509 certificate, parsed by OpenSSL (it owns an `X509*`).
///
/// Immutable once made: its DER bytes and SHA-256 fingerprint are computed when it is created,
/// the other fields are read from OpenSSL on demand. Two certificates are equal when their DER
/// bytes are.
public final class Certificate: @unchecked Sendable, Hashable {
    // @unchecked Sendable: the X509 is never modified after init, and OpenSSL's read accessors
    // (and its lazily cached extension data, guarded by the X509's own lock) are thread-safe.
    private let pointer: OpaquePointer

    /// The DER encoding.
    public let der: [UInt8]

    /// Lowercase hex of the SHA-256 of `der` (the directory binds agencies by it).
    public let sha256Fingerprint: String

    /// Takes over one reference to `x509` (freed in `deinit`).
    init(takingOwnership x509: OpaquePointer) throws(SigningError) {
        pointer = x509
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(x509, &buffer)
        guard length > 0, let buffer else {
            throw .openSSL(.malformed, "cannot encode a certificate as DER")
        }
        der = Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
        CDocRelayOpenSSL_free(buffer)
        sha256Fingerprint = SHA256Digest.hex(SHA256Digest.hash(der))
    }

    /// Takes a new reference to `x509`, which its current owner keeps.
    convenience init(copying x509: OpaquePointer) throws(SigningError) {
        guard X509_up_ref(x509) == 1 else {
            throw .openSSL(.malformed, "cannot reference a certificate")
        }
        try self.init(takingOwnership: x509)
    }

    deinit {
        X509_free(pointer)
    }

    /// Parses one DER certificate; bytes after it are refused.
    public convenience init(der bytes: [UInt8]) throws(SigningError) {
        OpenSSLErrorQueue.clear()
        let parsed: (OpaquePointer?, Int) = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (nil, 0) }
            var cursor: UnsafePointer<UInt8>? = base
            let x509 = d2i_X509(nil, &cursor, buffer.count)
            let consumed = cursor.map { base.distance(to: $0) } ?? 0
            return (x509, consumed)
        }
        guard let x509 = parsed.0 else {
            throw .openSSL(.malformed, "not a DER X.509 certificate")
        }
        guard parsed.1 == bytes.count else {
            X509_free(x509)
            OpenSSLErrorQueue.clear()
            throw SigningError(.malformed, "\(bytes.count - parsed.1) bytes after the DER certificate")
        }
        try self.init(takingOwnership: x509)
    }

    /// Parses the first certificate of a PEM text (`-----BEGIN CERTIFICATE-----`).
    public convenience init(pem: String) throws(SigningError) {
        let x509 = try ReadOnlyBIO.with(text: pem) { (bio) throws(SigningError) -> OpaquePointer in
            OpenSSLErrorQueue.clear()
            guard let x509 = PEM_read_bio_X509(bio, nil, nil, nil) else {
                throw .openSSL(.malformed, "no PEM certificate")
            }
            return x509
        }
        try self.init(takingOwnership: x509)
    }

    /// Every certificate of a PEM file (a bundle), in file order; at least one.
    public static func load(pemFile path: String) throws(SigningError) -> [Certificate] {
        let bytes = try FileBytes.read(path)
        let certificates = try parseBundle(bytes)
        guard !certificates.isEmpty else {
            throw SigningError(.malformed, "\(path) holds no PEM certificate")
        }
        return certificates
    }

    /// Every PEM certificate in `bytes`, in order.
    static func parseBundle(_ bytes: [UInt8]) throws(SigningError) -> [Certificate] {
        let pointers = try ReadOnlyBIO.with(bytes) { (bio) throws(SigningError) -> [OpaquePointer] in
            OpenSSLErrorQueue.clear()
            var found: [OpaquePointer] = []
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                found.append(x509)
            }
            // The loop ends with "no start line" at the end of the text: that is no error,
            // anything else (a damaged certificate) is.
            let errors = OpenSSLErrorQueue.drain()
            let damaged = errors.filter { !($0.library == ERR_LIB_PEM && $0.reason == PEM_R_NO_START_LINE) }
            if !damaged.isEmpty {
                found.forEach { X509_free($0) }
                throw SigningError(.malformed, "a damaged PEM certificate: "
                    + damaged.map(\.description).joined(separator: "; "))
            }
            return found
        }
        var certificates: [Certificate] = []
        for (index, pointer) in pointers.enumerated() {
            do {
                certificates.append(try Certificate(takingOwnership: pointer))
            } catch {
                pointers[(index + 1)...].forEach { X509_free($0) }
                throw error
            }
        }
        return certificates
    }

    /// Runs `body` with the `X509*`, valid only inside it.
    func withX509<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer) }
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool {
        lhs.der == rhs.der
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(der)
    }
}
