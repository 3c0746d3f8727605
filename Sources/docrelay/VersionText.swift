import DocRelayKafka
import DocRelaySigning

/// What `docrelay --version` prints: DocRelay's version, then the librdkafka and OpenSSL the
/// process loaded (an operator's first question when a client misbehaves).
enum VersionText {
    /// DocRelay's own version (semantic versioning; raised with each release).
    static let docRelay = "0.15.0"

    /// Three lines: `docrelay <version>`, `librdkafka <version>`, `<OpenSSL's own text>`.
    static var text: String {
        "docrelay \(docRelay)\nlibrdkafka \(KafkaLibrary.version)\n\(OpenSSLLibrary.version)"
    }
}
