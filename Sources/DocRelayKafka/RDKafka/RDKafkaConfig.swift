internal import CRdKafka

/// Owns an `rd_kafka_conf_t` until `rd_kafka_new` takes it. Every property is checked as it is
/// set, so a bad one is reported by name before any client exists.
final class RDKafkaConfig {
    private var pointer: OpaquePointer?

    init(properties: [(String, String)]) throws(KafkaError) {
        pointer = rd_kafka_conf_new()
        for (name, value) in properties {
            try set(name, value)
        }
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }

    func set(_ name: String, _ value: String) throws(KafkaError) {
        guard let pointer else { return }
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, name, value, &errorText, errorText.count)
        switch result {
        case RD_KAFKA_CONF_OK:
            return
        case RD_KAFKA_CONF_UNKNOWN:
            throw .invalidConfiguration(
                property: name, "unknown librdkafka property '\(name)'")
        default:
            let reason = errorText.cString
            throw .invalidConfiguration(
                property: name,
                "invalid value \(Self.shown(value, of: name)) for librdkafka property '\(name)': \(reason)")
        }
    }

    /// Runs `body` with the configuration pointer; callbacks and the opaque are set through it.
    func withPointer<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T? {
        guard let pointer else { return nil }
        return try body(pointer)
    }

    /// Hands the configuration to librdkafka (after a successful `rd_kafka_new`).
    func relinquish() {
        pointer = nil
    }

    /// Secrets (passwords, keys) never appear in error messages.
    static func shown(_ value: String, of name: String) -> String {
        let secretMarkers = ["password", "secret", ".pem", "oauthbearer.config", "sasl.jaas"]
        return secretMarkers.contains(where: name.contains) ? "(hidden)" : "'\(value)'"
    }
}

extension Array where Element == CChar {
    /// The text of a NUL-terminated C buffer, as librdkafka fills its `errstr`.
    var cString: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
