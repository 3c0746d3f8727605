internal import COpenSSL

/// SHA-256 over bytes with OpenSSL's EVP, and the lowercase hex DocRelay writes digests in
/// (`dr-sha256`, certificate fingerprints).
public enum SHA256Digest {
    /// The 32-byte SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The SHA-256 of the concatenation of `parts`, without concatenating them.
    static func hash(_ parts: [ArraySlice<UInt8>]) -> [UInt8] {
        FetchedDigest.sha256.withMD { md in
            var digest = [UInt8](repeating: 0, count: 32)
            guard let context = EVP_MD_CTX_new() else { return digest }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestInit_ex(context, md, nil) == 1 else { return digest }
            for part in parts {
                _ = part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            }
            var length: UInt32 = 32
            _ = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
            return digest
        }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        FetchedDigest.sha256.withMD { md in
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 32
            var empty: UInt8 = 0
            let ok = withUnsafePointer(to: &empty) { emptyPointer in
                digest.withUnsafeMutableBufferPointer {
                    EVP_Digest(bytes.baseAddress ?? UnsafeRawPointer(emptyPointer), bytes.count,
                               $0.baseAddress, &length, md, nil)
                }
            }
            if ok != 1 { ERR_clear_error() }
            return digest
        }
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        hex(bytes[...])
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
