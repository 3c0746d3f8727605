import Foundation

extension BenchReport {
    /// The "Signature verification" section of BENCHMARKS.md.
    var verificationSection: String {
        guard let first = verifications.first else { return "" }
        let versions = Set(verifications.compactMap(\.opensslVersion)).sorted().joined(separator: ", ")
        let missing = verifications.compactMap(\.opensslSpeedNote).first
        return """
            ## Signature verification

            Verifications per second on one thread (one core) of documents in the contract's form: a \
            detached CMS SignedData over \(Self.sizeName(first.contentSize)) of content, RSA-2048, SHA-256, \
            the signer's certificate embedded, issued by a development root that the trust store holds. \
            `FastCMSVerifier` is DocRelay's verifier (the signer's certificate recognised by the SHA-256 of \
            its bytes, its chain validated by OpenSSL once and cached, then the signed attributes and the \
            RSA signature checked with OpenSSL's EVP); `CMS_verify` is `OpenSSLCMSVerifier`, OpenSSL's \
            `CMS_verify` on the whole structure every time (the reference the differential tests hold the \
            fast verifier to). Each is measured for \(Self.decimal(first.seconds)) s after a warm-up, cycling \
            through \(first.documents) signed documents, in a `docrelay-bench verify` child process; \
            `openssl speed -seconds 3 rsa2048` runs in the same child right after, and its verify/s is the \
            bare RSA-2048 public-key operation, the ceiling of any CMS verifier. \
            Each figure is the median of \(verifications.count) run\(verifications.count == 1 ? "" : "s")\
            \(versions.isEmpty ? "" : "; \(versions)").\
            \(missing.map { " **openssl speed: \($0).**" } ?? "")

            \(verificationTable)
            """
    }

    /// The verification table, as printed on standard output too.
    var verificationTable: String {
        guard !verifications.isEmpty else { return "" }
        let fast = Self.median(verifications.map(\.fastPerSecond))
        let cms = Self.median(verifications.map(\.opensslCMSPerSecond))
        let speed = Self.median(verifications.compactMap(\.opensslSpeedVerifyPerSecond))
        let delegated = verifications.map(\.fastDelegated).max() ?? 0
        func rate(_ value: Double?) -> String { value.map { Self.grouped(Int($0.rounded())) } ?? "–" }
        func ratio(_ value: Double?, _ base: Double?) -> String {
            guard let value, let base, base > 0 else { return "–" }
            return String(format: "%.2f×", value / base)
        }
        return """
            | | verifications/s | ÷ CMS_verify | ÷ openssl speed rsa2048 verify |
            |---|---:|---:|---:|
            | FastCMSVerifier | \(rate(fast)) | \(ratio(fast, cms)) | \(ratio(fast, speed)) |
            | CMS_verify (OpenSSLCMSVerifier) | \(rate(cms)) | 1.00× | \(ratio(cms, speed)) |
            | openssl speed rsa2048, verify | \(rate(speed)) | \(ratio(speed, cms)) | \(speed == nil ? "–" : "1.00×") |

            FastCMSVerifier verifications handed to OpenSSL instead of judged by the fast path: \(delegated).

            """
    }

    static func decimal(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
