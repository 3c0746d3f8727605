internal import COpenSSL

/// Owns an `X509_NAME*` built for a development certificate: `C=VN`, `O=…`, `CN=…`, the
/// organisation and common name as UTF8String.
final class X509Name {
    private let pointer: OpaquePointer

    init(commonName: String, organization: String) throws(SigningError) {
        guard let name = X509_NAME_new() else { throw .openSSL(.io, "cannot allocate a name") }
        pointer = name
        for (field, value) in [("C", "VN"), ("O", organization), ("CN", commonName)] {
            let bytes = Array(value.utf8)
            guard !bytes.isEmpty,
                  X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1
            else {
                throw .openSSL(.malformed, "cannot use \(field)=\(value) in a certificate name")
            }
        }
    }

    deinit {
        X509_NAME_free(pointer)
    }

    func withName<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }
}
