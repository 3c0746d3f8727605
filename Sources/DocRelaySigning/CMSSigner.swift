internal import COpenSSL

/// Makes the signatures of the contract: a DER CMS SignedData (RFC 5652), detached, over the
/// content's bytes as they are (binary), SHA-256, the signer's certificate (and chain) included,
/// with signed attributes (content type, signing time, message digest, S/MIME capabilities)
/// exactly as `openssl cms -sign -binary -md sha256` makes them.
public enum CMSSigner {
    /// Signs `content`; returns the DER of the CMS ContentInfo.
    public static func signDetached(
        _ content: [UInt8], identity: SigningIdentity, scheme: SignatureScheme = .rsaPKCS1v15
    ) throws(SigningError) -> [UInt8] {
        OpenSSLErrorQueue.clear()
        let flags = UInt32(CMS_BINARY | CMS_DETACHED)
        let chain = try X509Stack(identity.chain)
        guard let created = CMS_sign(nil, nil, chain.pointer, nil, flags | UInt32(CMS_PARTIAL)) else {
            throw .openSSL(.io, "cannot start a CMS SignedData")
        }
        let cms = CMSContentInfo(takingOwnership: created)
        let usesPSS = scheme == .rsaPSS && identity.key.kind != .ecP256
        let signerFlags = flags | (usesPSS ? UInt32(CMS_KEY_PARAM) : 0)
        try identity.certificate.withX509 { (x509) throws(SigningError) in
            try identity.key.withPKey { (pkey) throws(SigningError) in
                try FetchedDigest.sha256.withMD { (md) throws(SigningError) in
                    guard let signer = CMS_add1_signer(cms.pointer, x509, pkey, md, signerFlags) else {
                        throw .openSSL(.invalidKey, "cannot add the signer \(identity.certificate.subject)")
                    }
                    if usesPSS {
                        try usePSS(signer, md: md)
                    }
                }
            }
        }
        try ReadOnlyBIO.with(content) { (bio) throws(SigningError) in
            guard CMS_final(cms.pointer, bio, nil, flags) == 1 else {
                throw .openSSL(.invalidKey, "cannot sign")
            }
        }
        return try cms.der()
    }

    /// RSASSA-PSS on the signer's key context: SHA-256, MGF1 with SHA-256, salt as long as
    /// the digest (RFC 4056's recommendation).
    private static func usePSS(_ signer: OpaquePointer, md: OpaquePointer) throws(SigningError) {
        guard let context = CMS_SignerInfo_get0_pkey_ctx(signer),
              EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1,
              EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) == 1,
              EVP_PKEY_CTX_set_rsa_mgf1_md(context, md) == 1
        else {
            throw .openSSL(.unsupportedAlgorithm, "cannot select RSA-PSS")
        }
    }
}
