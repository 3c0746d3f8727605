/// HMAC-SHA256 (RFC 2104 with SHA-256, block size 64 bytes), over ``SHA256Digest``: what the
/// national hub SDK signs its request headers with (docs/sdk-compatibility.md). Written out here
/// rather than through OpenSSL's `HMAC()`, deprecated in OpenSSL 3, since it is five lines over
/// the digest we already have; RFC 4231's test vectors hold it (HMACSHA256Tests).
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key` (any length: a key over 64 bytes is hashed first).
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256Digest.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256Digest.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256Digest.hash(block.map { $0 ^ 0x5c } + inner)
    }

    /// Lowercase hex of ``mac(key:message:)``.
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        SHA256Digest.hex(mac(key: key, message: message))
    }
}
