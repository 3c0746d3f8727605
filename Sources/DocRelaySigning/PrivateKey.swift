internal import COpenSSL

/// A private key for signing (it owns an `EVP_PKEY*`): RSA or ECDSA P-256.
public final class PrivateKey: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is never modified after init; OpenSSL 3 allows
    // concurrent signing and export with the same key (its caches are locked).
    private let pointer: OpaquePointer

    /// The algorithm and size of a key.
    public enum KeyKind: Sendable, Hashable, CustomStringConvertible {
        /// RSA with a modulus of `bits` bits (2048 or more for agencies).
        case rsa(bits: Int)
        /// ECDSA on NIST P-256 (prime256v1).
        case ecP256

        public var description: String {
            switch self {
            case let .rsa(bits): "RSA-\(bits)"
            case .ecP256: "ECDSA P-256"
            }
        }
    }

    /// The algorithm and size of this key.
    public let kind: KeyKind

    /// Takes over one reference to `pkey`.
    init(takingOwnership pkey: OpaquePointer) throws(SigningError) {
        pointer = pkey
        kind = try Self.kind(of: pkey)
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Reads an unencrypted PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or traditional
    /// (`BEGIN RSA PRIVATE KEY`, `BEGIN EC PRIVATE KEY`). Encrypted keys are refused.
    public convenience init(pem: String) throws(SigningError) {
        let pkey = try ReadOnlyBIO.with(text: pem) { (bio) throws(SigningError) -> OpaquePointer in
            OpenSSLErrorQueue.clear()
            // A callback that gives no passphrase: OpenSSL's default would prompt on the terminal.
            guard let pkey = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                throw .openSSL(.invalidKey, "not an unencrypted PEM private key")
            }
            return pkey
        }
        try self.init(takingOwnership: pkey)
    }

    /// Reads `init(pem:)` from a file.
    public static func load(pemFile path: String) throws(SigningError) -> PrivateKey {
        let bytes = try FileBytes.read(path)
        return try PrivateKey(pem: String(decoding: bytes, as: UTF8.self))
    }

    /// A new random key.
    public static func generate(_ kind: KeyKind) throws(SigningError) -> PrivateKey {
        OpenSSLErrorQueue.clear()
        let algorithm: String
        switch kind {
        case let .rsa(bits):
            guard (1024...16384).contains(bits) else {
                throw SigningError(.invalidKey, "RSA keys of \(bits) bits are not supported (1024 to 16384)")
            }
            algorithm = "RSA"
        case .ecP256:
            algorithm = "EC"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw .openSSL(.unsupportedAlgorithm, "cannot create a \(algorithm) key generator")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw .openSSL(.invalidKey, "cannot start generating a \(kind) key")
        }
        switch kind {
        case let .rsa(bits):
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 else {
                throw .openSSL(.invalidKey, "cannot set the RSA key size to \(bits)")
            }
        case .ecP256:
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
                throw .openSSL(.invalidKey, "cannot select the P-256 curve")
            }
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            throw .openSSL(.invalidKey, "cannot generate a \(kind) key")
        }
        return try PrivateKey(takingOwnership: pkey)
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var pem: String {
        guard let bio = try? MemoryBIO() else { return "" }
        let written = withPKey { PEM_write_bio_PKCS8PrivateKey(bio.pointer, $0, nil, nil, 0, nil, nil) }
        OpenSSLErrorQueue.clear()
        return written == 1 ? bio.text : ""
    }

    /// Runs `body` with the `EVP_PKEY*`, valid only inside it.
    func withPKey<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer) }
    }

    private static func kind(of pkey: OpaquePointer) throws(SigningError) -> KeyKind {
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_RSA:
            return .rsa(bits: Int(EVP_PKEY_get_bits(pkey)))
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else {
                throw .openSSL(.invalidKey, "an EC key without a named curve")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard curve == "prime256v1" || curve == "P-256" else {
                throw SigningError(.unsupportedAlgorithm, "EC keys on \(curve) are not supported (P-256 only)")
            }
            return .ecP256
        default:
            throw SigningError(.unsupportedAlgorithm, "only RSA and ECDSA P-256 keys are supported")
        }
    }
}
