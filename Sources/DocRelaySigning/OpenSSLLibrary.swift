internal import COpenSSL

/// The OpenSSL this process runs with.
public enum OpenSSLLibrary {
    /// OpenSSL's version as the loaded libcrypto reports it (`OpenSSL_version(OPENSSL_VERSION)`),
    /// e.g. `OpenSSL 3.0.19 27 Jan 2026`.
    public static var version: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}
