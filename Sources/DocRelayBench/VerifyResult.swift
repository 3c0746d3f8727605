import Foundation

/// The outcome of `docrelay-bench verify`, printed as one JSON line and read back by `all`.
struct VerifyResult: Sendable, Codable, Hashable {
    /// Bytes of each document (the content signed).
    var contentSize: Int
    /// Distinct documents the verifications cycle through.
    var documents: Int
    /// Seconds each verifier was measured for (after its warm-up).
    var seconds: Double
    /// `FastCMSVerifier`, verifications per second on one thread.
    var fastPerSecond: Double
    /// How many of the fast verifier's verifications went to OpenSSL instead (0 expected).
    var fastDelegated: Int
    /// `OpenSSLCMSVerifier` (OpenSSL's `CMS_verify`), verifications per second on one thread.
    var opensslCMSPerSecond: Double
    /// `openssl speed rsa2048` verify/s from the same run; `nil` without openssl.
    var opensslSpeedVerifyPerSecond: Double?
    /// Why `opensslSpeedVerifyPerSecond` is missing, if it is.
    var opensslSpeedNote: String?
    var opensslVersion: String?

    /// One line of JSON.
    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
