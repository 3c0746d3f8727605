internal import COpenSSL

/// Owns a `STACK_OF(X509)` holding one reference on each of its certificates.
final class X509Stack {
    let pointer: OpaquePointer

    /// A stack of `certificates`, each up-referenced.
    init(_ certificates: [Certificate]) throws(SigningError) {
        guard let stack = CDocRelayOpenSSL_sk_X509_new_null() else {
            throw .openSSL(.io, "cannot allocate a certificate stack")
        }
        pointer = stack
        for certificate in certificates {
            let pushed = certificate.withX509 { x509 -> Bool in
                guard X509_up_ref(x509) == 1 else { return false }
                if CDocRelayOpenSSL_sk_X509_push(stack, x509) > 0 { return true }
                X509_free(x509)
                return false
            }
            guard pushed else { throw .openSSL(.io, "cannot add a certificate to a stack") }
        }
    }

    /// Takes over a stack whose elements it owns (as `CMS_get1_certs` returns).
    init(takingOwnership stack: OpaquePointer) {
        pointer = stack
    }

    deinit {
        CDocRelayOpenSSL_sk_X509_pop_free(pointer)
    }

    var count: Int { Int(CDocRelayOpenSSL_sk_X509_num(pointer)) }

    /// The certificate at `index`, borrowed: valid while this stack lives.
    func borrowed(_ index: Int) -> OpaquePointer? {
        CDocRelayOpenSSL_sk_X509_value(pointer, Int32(index))
    }
}
