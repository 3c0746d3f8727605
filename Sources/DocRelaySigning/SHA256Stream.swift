internal import COpenSSL
import Synchronization

/// SHA-256 over bytes that come in pieces (the segments of a large document), with OpenSSL's
/// EVP: `update` with each piece in order, then `finish` once. Owns its `EVP_MD_CTX`.
///
/// Sendable because its context is behind a mutex; the caller keeps the pieces in order.
public final class SHA256Stream: Sendable {
    private struct Context: @unchecked Sendable {
        // @unchecked: the EVP_MD_CTX is only touched under the mutex.
        let pointer: OpaquePointer?
    }

    private let context: Mutex<Context>
    private let bytes = Atomic<Int>(0)

    public init() {
        let pointer = EVP_MD_CTX_new()
        if let pointer {
            _ = FetchedDigest.sha256.withMD { EVP_DigestInit_ex(pointer, $0, nil) }
        }
        context = Mutex(Context(pointer: pointer))
    }

    deinit {
        context.withLock { if let pointer = $0.pointer { EVP_MD_CTX_free(pointer) } }
    }

    /// Bytes hashed so far.
    public var count: Int { bytes.load(ordering: .relaxed) }

    /// Hashes the next piece.
    public func update(_ piece: [UInt8]) {
        piece.withUnsafeBytes { update($0) }
    }

    public func update(_ piece: UnsafeRawBufferPointer) {
        context.withLock { context in
            guard let pointer = context.pointer, piece.count > 0 else { return }
            _ = EVP_DigestUpdate(pointer, piece.baseAddress, piece.count)
        }
        bytes.add(piece.count, ordering: .relaxed)
    }

    /// The lowercase hex SHA-256 of every piece so far; the stream is spent after it.
    public func finishHex() -> String {
        let digest = context.withLock { context -> [UInt8] in
            var digest = [UInt8](repeating: 0, count: 32)
            guard let pointer = context.pointer else { return digest }
            var length: UInt32 = 32
            _ = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(pointer, $0.baseAddress, &length) }
            return digest
        }
        return SHA256Digest.hex(digest)
    }
}
