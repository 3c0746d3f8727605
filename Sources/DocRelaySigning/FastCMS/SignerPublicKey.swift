internal import COpenSSL

/// A signer's public key taken from its certificate once (it owns an `EVP_PKEY*`), so later
/// signatures by the same certificate are checked without decoding the certificate again.
final class SignerPublicKey: @unchecked Sendable {
    // @unchecked Sendable: the EVP_PKEY is never modified after init; OpenSSL 3 allows any
    // number of threads to verify with one key at once (each with its own EVP_MD_CTX).
    private let pointer: OpaquePointer

    enum Family: Sendable {
        case rsa
        case ec
    }

    let family: Family

    /// Takes one reference to the public key of `x509`; `nil` when OpenSSL cannot decode it or
    /// it is neither plain RSA nor EC.
    init?(certificate x509: OpaquePointer) {
        guard let key = X509_get_pubkey(x509) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: family = .rsa
        case EVP_PKEY_EC: family = .ec
        default:
            EVP_PKEY_free(key)
            return nil
        }
        pointer = key
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Whether the key can make signatures of `algorithm` (as OpenSSL's CMS would check them).
    func fits(_ algorithm: SignatureAlgorithm) -> Bool {
        switch (family, algorithm) {
        case (.rsa, .rsaPKCS1v15), (.rsa, .rsaPSS), (.ec, .ecdsaSHA256): true
        default: false
        }
    }

    /// `EVP_DigestVerify` of `signature` over `message` with SHA-256 and `algorithm`'s padding,
    /// the calls `CMS_SignerInfo_verify` makes.
    func verify(_ signature: ArraySlice<UInt8>, over message: [UInt8], algorithm: SignatureAlgorithm) -> Bool {
        // No signature verifies empty (and OpenSSL is never handed a null buffer).
        guard !signature.isEmpty, !message.isEmpty else { return false }
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        return FetchedDigest.sha256.withMD { md in
            var keyContext: OpaquePointer?
            guard EVP_DigestVerifyInit(context, &keyContext, md, nil, pointer) == 1 else { return false }
            if case let .rsaPSS(saltLength) = algorithm {
                guard let keyContext,
                      EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, Int32(saltLength)) == 1,
                      EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, md) == 1
                else { return false }
            }
            let verified = signature.withUnsafeBufferPointer { signatureBytes in
                message.withUnsafeBufferPointer { messageBytes in
                    EVP_DigestVerify(
                        context, signatureBytes.baseAddress, signatureBytes.count,
                        messageBytes.baseAddress, messageBytes.count)
                }
            }
            return verified == 1
        }
    }
}
