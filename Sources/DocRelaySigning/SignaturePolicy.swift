internal import COpenSSL

/// The contract's rules on a signature beyond what `CMS_verify` checks (docs/contract.md,
/// "The signature"), applied alike by both verifiers:
///
/// - Algorithms, per SignerInfo: the digest algorithm is SHA-256, and the signature algorithm
///   names no other hash (`sha1WithRSAEncryption`, `ecdsa-with-SHA1`, RSASSA-PSS whose hash or
///   MGF1 hash is not SHA-256 are refused; `rsaEncryption` names none). Only the signature's
///   own algorithms: the CA signatures of the chain (`sha1WithRSAEncryption` in the
///   government's root and sub-CAs) are the CA's, checked by OpenSSL, and stay accepted. The
///   SignedData's `digestAlgorithms` set is not covered by the signature and is not read.
/// - Usage of the signer certificate (RFC 5280 §4.2.1.3 and §4.2.1.12): a keyUsage extension,
///   when present, allows `digitalSignature` or `nonRepudiation` (contentCommitment); an
///   extendedKeyUsage extension, when present, names a purpose that covers signing documents:
///   `anyExtendedKeyUsage`, `emailProtection` (S/MIME, RFC 8550), `id-kp-documentSigning`
///   (RFC 9336) or Microsoft's document signing (1.3.6.1.4.1.311.10.3.12). A TLS client
///   certificate (EKU `clientAuth` only) is refused even with `digitalSignature`.
enum SignaturePolicy {
    // MARK: Algorithms

    /// Refuses (`.disallowedAlgorithm`) a SignerInfo of `cms` whose digest or signature
    /// algorithm uses another hash than SHA-256.
    static func checkAlgorithms(of cms: CMSContentInfo) throws(SigningError) {
        guard let signerInfos = CMS_get0_SignerInfos(cms.pointer) else { return }
        for index in 0..<CDocRelayOpenSSL_sk_CMS_SignerInfo_num(signerInfos) {
            guard let signerInfo = CDocRelayOpenSSL_sk_CMS_SignerInfo_value(signerInfos, index) else { continue }
            var digest: UnsafeMutablePointer<X509_ALGOR>?
            var signature: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(signerInfo, nil, nil, &digest, &signature)
            if let digest {
                let nid = OBJ_obj2nid(digest.pointee.algorithm)
                guard nid == NID_sha256 else {
                    throw SigningError(
                        .disallowedAlgorithm, "CMS digest algorithm \(name(digest.pointee.algorithm)) is not SHA-256")
                }
            }
            if let signature {
                try checkSignatureAlgorithm(signature)
            }
        }
    }

    private static func checkSignatureAlgorithm(_ algorithm: UnsafeMutablePointer<X509_ALGOR>) throws(SigningError) {
        let nid = OBJ_obj2nid(algorithm.pointee.algorithm)
        if nid == NID_rsassaPss {
            var buffer: UnsafeMutablePointer<UInt8>?
            let length = i2d_X509_ALGOR(algorithm, &buffer)
            guard length > 0, let buffer else {
                OpenSSLErrorQueue.clear()
                throw SigningError(.malformed, "the RSASSA-PSS parameters cannot be encoded")
            }
            let der = Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
            CDocRelayOpenSSL_free(buffer)
            let reader = DERReader(der)
            guard let root = reader.root, SignatureAlgorithm.pssHashesAreSHA256(root, in: reader) else {
                throw SigningError(
                    .disallowedAlgorithm,
                    "CMS signature algorithm RSASSA-PSS does not use SHA-256 for its hash and MGF1 (absent means SHA-1)")
            }
            return
        }
        var digestNID: Int32 = NID_undef
        var keyNID: Int32 = NID_undef
        if OBJ_find_sigid_algs(nid, &digestNID, &keyNID) == 1, digestNID != NID_undef, digestNID != NID_sha256 {
            throw SigningError(
                .disallowedAlgorithm,
                "CMS signature algorithm \(name(algorithm.pointee.algorithm)) uses \(OBJ_nid2ln(digestNID).map { String(cString: $0) } ?? "another digest"), not SHA-256")
        }
    }

    /// The long name of an object (`sha1`, `sha1WithRSAEncryption`), or its dotted numbers.
    private static func name(_ object: OpaquePointer?) -> String {
        let nid = OBJ_obj2nid(object)
        if nid != NID_undef, let long = OBJ_nid2ln(nid) { return String(cString: long) }
        var text = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&text, Int32(text.count), object, 1)
        return length > 0 ? String(cString: text) : "(unreadable)"
    }

    // MARK: Signer usage

    /// Why the certificate `x509` may not sign documents, or `nil` when it may.
    static func usageRefusal(_ x509: OpaquePointer) -> String? {
        // Caches the extensions; sets EXFLAG_INVALID when one cannot be decoded.
        let flags = X509_get_extension_flags(x509)
        if flags & UInt32(EXFLAG_INVALID) != 0 {
            return "signer certificate has an extension that cannot be decoded"
        }
        let keyUsage = X509_get_key_usage(x509)  // UINT32_MAX when the extension is absent
        if keyUsage & UInt32(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION) == 0 {
            return "signer certificate's key usage allows neither digitalSignature nor nonRepudiation"
        }
        guard flags & UInt32(EXFLAG_XKUSAGE) != 0 else { return nil }
        let index = X509_get_ext_by_NID(x509, NID_ext_key_usage, -1)
        guard index >= 0, let ext = X509_get_ext(x509, index), let data = X509_EXTENSION_get_data(ext),
              let bytes = ASN1_STRING_get0_data(data)
        else { return "signer certificate's extended key usage cannot be read" }
        let der = Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))))
        let reader = DERReader(der)
        guard let root = reader.root, let purposes = reader.children(of: root, tag: DEROctet.sequence) else {
            return "signer certificate's extended key usage cannot be read"
        }
        let allowed = [DEROID.anyExtendedKeyUsage, DEROID.emailProtection, DEROID.documentSigning,
                       DEROID.microsoftDocumentSigning]
        if purposes.contains(where: { purpose in allowed.contains { reader.encoding(of: purpose, is: $0) } }) {
            return nil
        }
        return "signer certificate's extended key usage (\(purposeNames(purposes, reader))) "
            + "names no document signing purpose (emailProtection, documentSigning, anyExtendedKeyUsage)"
    }

    private static func purposeNames(_ purposes: [DERElement], _ reader: DERReader) -> String {
        let names: [([UInt8], String)] = [
            (DEROID.serverAuth, "serverAuth"), (DEROID.clientAuth, "clientAuth"), (DEROID.codeSigning, "codeSigning"),
        ]
        return purposes.map { purpose in
            names.first { reader.encoding(of: purpose, is: $0.0) }?.1 ?? "other"
        }.joined(separator: ", ")
    }
}
