internal import COpenSSL

/// Owns a `CMS_ContentInfo*`: a parsed or newly built CMS structure.
final class CMSContentInfo {
    let pointer: OpaquePointer

    init(takingOwnership pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        CMS_ContentInfo_free(pointer)
    }

    /// Parses DER (or BER, which OpenSSL also reads) with `d2i_CMS_bio`.
    static func parse(_ bytes: [UInt8]) throws(SigningError) -> CMSContentInfo {
        guard !bytes.isEmpty else { throw SigningError(.malformed, "the signature is empty") }
        let pointer = try ReadOnlyBIO.with(bytes) { (bio) throws(SigningError) -> OpaquePointer in
            OpenSSLErrorQueue.clear()
            guard let cms = d2i_CMS_bio(bio, nil) else {
                throw .openSSL(.malformed, "not a DER CMS structure")
            }
            return cms
        }
        return CMSContentInfo(takingOwnership: pointer)
    }

    /// The DER encoding.
    func der() throws(SigningError) -> [UInt8] {
        let bio = try MemoryBIO()
        OpenSSLErrorQueue.clear()
        guard i2d_CMS_bio(bio.pointer, pointer) == 1 else {
            throw .openSSL(.malformed, "cannot encode the CMS structure as DER")
        }
        return bio.bytes
    }
}
