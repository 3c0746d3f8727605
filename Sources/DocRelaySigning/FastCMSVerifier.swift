internal import COpenSSL
public import Foundation
import Synchronization

/// A verifier with the verdicts of `OpenSSLCMSVerifier` at several times its speed.
///
/// OpenSSL's `CMS_verify` decodes the embedded signer certificate on every call (~220 µs of its
/// ~350 µs for RSA-2048). This verifier walks the signature in DER with swift-asn1 instead and
/// recognises certificates it has seen by the SHA-256 of their encoding (with the signer
/// identifier and the trust store's `generation`): for those it keeps, in a bounded cache, the
/// outcome of one full chain validation by OpenSSL (CRLs included: their own periods are judged
/// when the store is loaded, not at `time`, by both verifiers), the chain's validity periods and
/// the signer's parsed public key. A verification then costs the DER walk, two SHA-256 and one
/// `EVP_DigestVerify`:
/// - the chain outcome is applied at `time` as OpenSSL would (an expired or not yet valid
///   certificate of the chain gives the same reason, checked in the same order);
/// - the signed attributes are checked (contentType id-data, messageDigest = SHA-256 of the
///   content, SHA-256 digest algorithm) and the signature is verified over their DER re-tagged
///   as a SET OF, with RSA PKCS#1 v1.5, RSA-PSS (its parameters) or ECDSA;
/// - the signer certificate's key usage, judged once per cache entry, is applied last as the
///   reference applies it (`SignaturePolicy`). Any other digest or signature hash than SHA-256
///   does not read as a `DetachedSignedData` and goes to the reference, which refuses it.
///
/// Whatever it does not handle exactly goes to `OpenSSLCMSVerifier`, so the verdict is
/// OpenSSL's: other shapes (BER, several signers, other attributes or algorithms, CRLs in the
/// signature), trust stores or signatures holding two certificates with one subject, chain
/// failures that depend on the time. The differential tests hold it to the same verdicts (and
/// the same revocation text) as the reference.
public final class FastCMSVerifier: DetachedSignatureVerifier {
    /// Counters of what the verifier did, for tests and monitoring.
    public struct Statistics: Sendable, Hashable {
        /// Verdicts given by the fast path.
        public var fast: Int
        /// Verifications handed to OpenSSL's `CMS_verify`.
        public var delegated: Int
        /// Full chain validations made to fill the cache.
        public var cacheMisses: Int
        /// Entries in the cache now.
        public var cachedSigners: Int
    }

    private let cache: SignerCache
    private let reference: OpenSSLCMSVerifier
    private let fastCount = Atomic<Int>(0)
    private let delegatedCount = Atomic<Int>(0)
    private let missCount = Atomic<Int>(0)

    /// A verifier caching up to `capacity` certificate sets (10,000 by default; a few hundred
    /// bytes plus one public key each).
    public init(capacity: Int = 10_000) {
        cache = SignerCache(capacity: capacity)
        reference = OpenSSLCMSVerifier()
    }

    public var statistics: Statistics {
        Statistics(
            fast: fastCount.load(ordering: .relaxed), delegated: delegatedCount.load(ordering: .relaxed),
            cacheMisses: missCount.load(ordering: .relaxed), cachedSigners: cache.count)
    }

    public func verify(
        signature: [UInt8], content: [UInt8], trust: TrustStore, at time: Date
    ) throws(SigningError) -> VerifiedSigner {
        guard let second = ASN1Time.verificationSeconds(time),
              let signed = DetachedSignedData(der: signature)
        else { return try delegate(signature, content, trust, time) }

        let key = SignerCacheKey(
            digest: SHA256Digest.hash([signed.certificatesField, signed.signerIdentifier]),
            generation: trust.generation)
        let cached: CachedSigner
        if let known = cache.value(for: key) {
            cached = known
        } else {
            missCount.add(1, ordering: .relaxed)
            guard let validated = SignerValidation.validate(signature: signature, trust: trust) else {
                return try delegate(signature, content, trust, time)
            }
            cache.insert(validated, for: key)
            cached = validated
        }

        let validated: ValidatedSigner
        switch cached {
        case .delegated:
            return try delegate(signature, content, trust, time)
        case let .rejected(chainError):
            fastCount.add(1, ordering: .relaxed)
            throw chainError.error()
        case let .validated(signer):
            guard signer.key.fits(signed.signatureAlgorithm) else { return try delegate(signature, content, trust, time) }
            validated = signer
        }
        fastCount.add(1, ordering: .relaxed)
        // CMS_verify's order: the chain (at `time`), the signature, the content digest.
        if let timeError = validated.timeError(at: second) {
            throw timeError.error()
        }
        guard validated.key.verify(signed.signature, over: signed.signedBytes, algorithm: signed.signatureAlgorithm) else {
            throw SigningError(.badSignature, "the signature does not verify over the signed attributes")
        }
        guard SHA256Digest.hash(content)[...] == signed.messageDigest else {
            throw SigningError(.badSignature, "the message digest does not match the content")
        }
        if let refusal = validated.usageRefusal {
            throw SigningError(.disallowedKeyUsage, refusal)
        }
        return validated.signer
    }

    private func delegate(
        _ signature: [UInt8], _ content: [UInt8], _ trust: TrustStore, _ time: Date
    ) throws(SigningError) -> VerifiedSigner {
        delegatedCount.add(1, ordering: .relaxed)
        return try reference.verify(signature: signature, content: content, trust: trust, at: time)
    }
}
