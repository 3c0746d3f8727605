internal import COpenSSL
public import Foundation

/// The reference verifier: OpenSSL's own `CMS_verify` on the whole structure, every time.
///
/// `d2i_CMS_bio` parses the signature, then `CMS_verify(cms, NULL, store, content, NULL,
/// CMS_BINARY)` checks every signer: its certificate found among those the signature carries,
/// its chain against a store of `trust`'s certificates and CRLs whose verification time is
/// `time` (purpose any; a CRL's own thisUpdate and nextUpdate are not judged at `time`, see
/// `VerifyErrorRecorder`), the signature over the signed attributes, and the message digest over
/// `content`; around it, the contract's rules of `SignaturePolicy` (SHA-256 only, checked
/// before; a signer certificate meant to sign documents, checked after). About 2.8k
/// verifications per second per core for RSA-2048: decoding the embedded certificate
/// dominates. `FastCMSVerifier` gives the same verdicts faster.
public struct OpenSSLCMSVerifier: DetachedSignatureVerifier {
    public init() {}

    public func verify(
        signature: [UInt8], content: [UInt8], trust: TrustStore, at time: Date
    ) throws(SigningError) -> VerifiedSigner {
        guard let seconds = ASN1Time.verificationSeconds(time) else {
            throw SigningError(.malformed, "the verification time \(time) is outside the years 1 to 9999")
        }
        let cms = try CMSContentInfo.parse(signature)
        // The contract's algorithms first: a SHA-1 signature is refused whoever made it.
        try SignaturePolicy.checkAlgorithms(of: cms)
        let store = try trust.makeStore(verificationTime: seconds)
        let recorder = VerifyErrorRecorder(crls: trust.crls)
        try recorder.recording(on: store) { () throws(SigningError) in
            try ReadOnlyBIO.with(content) { (bio) throws(SigningError) in
                OpenSSLErrorQueue.clear()
                let verified = store.withStore { CMS_verify(cms.pointer, nil, $0, bio, nil, UInt32(CMS_BINARY)) }
                guard verified == 1 else {
                    throw Self.failure(chainError: recorder.firstError)
                }
            }
        }
        OpenSSLErrorQueue.clear()
        return try Self.checkedSigner(of: cms)
    }

    /// The reason of a failed `CMS_verify`: the chain's own error when there was one, else
    /// what the CMS layer put on the error queue (which is drained).
    static func failure(
        chainError: X509VerifyError?, file: String = #fileID, line: Int = #line
    ) -> SigningError {
        let queued = OpenSSLErrorQueue.drain()
        let text = queued.map(\.description).joined(separator: "; ")
        if let chainError {
            return chainError.error(file: file, line: line)
        }
        let cmsReasons = Set(queued.filter { $0.library == ERR_LIB_CMS }.map(\.reason))
        let reason: SigningError.Reason
        if cmsReasons.contains(CMS_R_SIGNER_CERTIFICATE_NOT_FOUND) {
            reason = .missingSignerCertificate
        } else if !cmsReasons.isDisjoint(with: [
            CMS_R_NO_SIGNERS, CMS_R_CONTENT_TYPE_NOT_SIGNED_DATA, CMS_R_TYPE_NOT_DATA, CMS_R_NO_CONTENT,
            CMS_R_ERROR_READING_MESSAGEDIGEST_ATTRIBUTE, CMS_R_ATTRIBUTE_ERROR,
        ]) {
            reason = .malformed
        } else if !cmsReasons.isDisjoint(with: [
            CMS_R_UNKNOWN_DIGEST_ALGORITHM, CMS_R_NO_MATCHING_DIGEST, CMS_R_UNSUPPORTED_SIGNATURE_ALGORITHM,
            CMS_R_NO_PUBLIC_KEY, CMS_R_NO_DIGEST_SET,
        ]) {
            reason = .unsupportedAlgorithm
        } else {
            reason = .badSignature
        }
        let message = reason == .badSignature
            ? "the signature does not verify over the content" : "the signature cannot be verified"
        return SigningError(reason, text.isEmpty ? message : "\(message): \(text)", file: file, line: line)
    }

    /// The certificate of the first signer (set by `CMS_verify`), once every signer's
    /// certificate was found fit to sign documents (`SignaturePolicy.usageRefusal`).
    private static func checkedSigner(of cms: CMSContentInfo) throws(SigningError) -> VerifiedSigner {
        guard let signers = CMS_get0_signers(cms.pointer) else {
            throw .openSSL(.missingSignerCertificate, "no signer certificate after verification")
        }
        defer { CDocRelayOpenSSL_sk_X509_free(signers) }
        let count = CDocRelayOpenSSL_sk_X509_num(signers)
        guard count > 0, let first = CDocRelayOpenSSL_sk_X509_value(signers, 0) else {
            throw SigningError(.missingSignerCertificate, "no signer certificate after verification")
        }
        for index in 0..<count {
            guard let signer = CDocRelayOpenSSL_sk_X509_value(signers, index) else { continue }
            if let refusal = SignaturePolicy.usageRefusal(signer) {
                throw SigningError(.disallowedKeyUsage, refusal)
            }
        }
        return VerifiedSigner(certificate: try Certificate(copying: first))
    }
}
