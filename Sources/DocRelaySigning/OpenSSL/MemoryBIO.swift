internal import COpenSSL

/// Owns a writable memory `BIO` (`BIO_s_mem`) that OpenSSL writes into (PEM, DER, names);
/// its bytes are copied out with `bytes`.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(SigningError) {
        guard let pointer = BIO_new(BIO_s_mem()) else {
            throw .openSSL(.io, "cannot allocate a memory BIO")
        }
        self.pointer = pointer
    }

    deinit {
        BIO_free(pointer)
    }

    /// A copy of what has been written so far.
    var bytes: [UInt8] {
        var data: UnsafePointer<UInt8>?
        let length = CDocRelayOpenSSL_BIO_get_mem_data(pointer, &data)
        guard let data, length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    /// What has been written, as UTF-8 text (invalid sequences repaired).
    var text: String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// Read-only memory BIOs over Swift bytes. `BIO_new_mem_buf` does not copy, so the BIO lives
/// only inside the closure that borrows the bytes (field-notes.md: using it after the closure
/// passed debug tests and failed in release builds).
enum ReadOnlyBIO {
    static func with<R>(
        _ bytes: [UInt8], _ body: (OpaquePointer) throws(SigningError) -> R
    ) throws(SigningError) -> R {
        guard bytes.count <= Int(Int32.max) else {
            throw SigningError(.malformed, "input of \(bytes.count) bytes is too large")
        }
        let result: Result<R, SigningError> = bytes.withUnsafeBytes { buffer in
            // BIO_new_mem_buf refuses a null pointer, which an empty array may give.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { emptyPointer in
                let base = buffer.baseAddress ?? UnsafeRawPointer(emptyPointer)
                guard let bio = BIO_new_mem_buf(base, Int32(buffer.count)) else {
                    return .failure(.openSSL(.io, "cannot allocate a memory BIO"))
                }
                defer { BIO_free(bio) }
                do throws(SigningError) {
                    return .success(try body(bio))
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// `with` over the UTF-8 bytes of `text`.
    static func with<R>(
        text: String, _ body: (OpaquePointer) throws(SigningError) -> R
    ) throws(SigningError) -> R {
        try with(Array(text.utf8), body)
    }
}
