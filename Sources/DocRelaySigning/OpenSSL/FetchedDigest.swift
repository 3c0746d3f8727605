internal import COpenSSL

/// An `EVP_MD` fetched once from the default provider and kept for the life of the process:
/// OpenSSL 3 otherwise fetches the implementation again (under a lock) on every call that is
/// given `EVP_sha256()`.
final class FetchedDigest: @unchecked Sendable {
    // @unchecked Sendable: a fetched EVP_MD is immutable and reference-counted; OpenSSL allows
    // using it from any thread.
    private let pointer: OpaquePointer?

    /// SHA-256, from the default library context.
    static let sha256 = FetchedDigest(name: "SHA256")

    private init(name: String) {
        pointer = EVP_MD_fetch(nil, name, nil)
    }

    deinit {
        if let pointer { EVP_MD_free(pointer) }
    }

    /// Runs `body` with the `EVP_MD*` (the legacy `EVP_sha256()` if the fetch failed).
    func withMD<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in try body(pointer ?? EVP_sha256()) }
    }
}
