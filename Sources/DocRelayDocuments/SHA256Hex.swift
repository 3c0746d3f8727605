import DocRelaySigning

/// Lowercase hex SHA-256 of bytes, as `dr-sha256` and `dr-value-sha256` write it.
public enum SHA256Hex {
    public static func of(_ bytes: [UInt8]) -> String {
        SHA256Digest.hex(SHA256Digest.hash(bytes))
    }
}
