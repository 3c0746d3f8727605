internal import COpenSSL
public import Foundation
import Synchronization

/// What a hub trusts: its anchors (root CA certificates), intermediate CA certificates that
/// chains may pass through, and, when configured, CRLs.
///
/// A signer is trusted when its certificate chains to an anchor (an intermediate alone is not
/// enough: OpenSSL requires the chain to end at a self-signed anchor), every certificate of
/// the chain being valid at the verification time and, with CRLs, none of them listed by a CRL
/// of the store. A CRL's own period (thisUpdate, nextUpdate) is not judged at the verification
/// time but when the store is loaded, at now (`crlStatuses(at:)`): the verification time is the
/// record's `dr-created`, which the signer chooses, so a key revoked before the hub judges the
/// record cannot prove it signed earlier, and a CRL published after a genuine document was
/// signed does not refuse it unless it lists its signer (RFC 5280 §6.3.3 (a) compares a CRL's
/// nextUpdate with the current time).
///
/// The store is immutable: to load new CRLs make a new one, whose `generation` differs, so caches
/// keyed by it (see `FastCMSVerifier`) never reuse an outcome of the old one.
public final class TrustStore: Sendable {
    /// Self-signed CA certificates that chains must end at.
    public let anchors: [Certificate]
    /// CA certificates chains may pass through (signatures may also carry their own).
    public let intermediates: [Certificate]
    /// The CRLs in force, checked for every certificate of a chain (none: no revocation check):
    /// of the CRLs given, the latest (by thisUpdate) of each CA, a CA being an issuer name and
    /// authority key identifier. An earlier CRL of the same CA is superseded (RFC 5280 §5:
    /// a complete CRL lists every unexpired revoked certificate), and keeping it would let
    /// OpenSSL prefer it at a verification time within its period.
    public let crls: [CertificateRevocationList]
    /// Unique among the stores of this process, so a cache can tell a reloaded store apart.
    public let generation: UInt64
    /// The same anchors and intermediates without CRLs (made once, so its `generation` is
    /// stable); nil when this store has no CRLs.
    private let unrevoked: TrustStore?

    /// A store of the same anchors and intermediates with no CRLs (this one when it has none):
    /// for records a hub accepted already, whose revocation verdict stands (`HubAcceptance`).
    public var withoutRevocation: TrustStore { unrevoked ?? self }

    /// Whether chains are checked against CRLs: whenever CRLs were given (`X509_V_FLAG_CRL_CHECK`
    /// and `X509_V_FLAG_CRL_CHECK_ALL`); a certificate whose issuer has no CRL is then refused.
    public var checksRevocation: Bool { !crls.isEmpty }

    /// The store for verifications that set their own time per call (`X509_STORE_CTX`).
    let sharedStore: X509StoreHandle
    /// Anchors and intermediates by `X509_NAME_hash_ex` of their subject.
    private let bySubjectHash: [UInt: [Certificate]]
    /// Whether two different certificates of the store have the same subject, in which case
    /// the issuer OpenSSL picks can depend on the verification time.
    let hasAmbiguousSubjects: Bool

    private static let generations = Atomic<UInt64>(0)

    /// Fails with `.malformed` without anchors, when an intermediate is self-signed (it would
    /// act as an anchor: pass it in `anchors` if that is meant), or when a CRL's thisUpdate or
    /// nextUpdate is not in the form RFC 5280 §5.1.2.4-5 requires (every chain its CA covers
    /// would fail).
    public init(
        anchors: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = []
    ) throws(SigningError) {
        guard !anchors.isEmpty else {
            throw SigningError(.malformed, "a trust store needs at least one anchor")
        }
        for intermediate in intermediates where intermediate.withX509({ X509_self_signed($0, 0) }) == 1 {
            throw SigningError(
                .malformed, "the intermediate \(intermediate.subject) is self-signed: trust it as an anchor instead")
        }
        for crl in crls where !crl.hasComparableTimes {
            throw SigningError(
                .malformed, "the CRL of \(crl.issuer) has a thisUpdate or nextUpdate not in RFC 5280 form (YYMMDDHHMMSSZ)")
        }
        OpenSSLErrorQueue.clear()
        self.anchors = anchors
        self.intermediates = intermediates
        self.crls = Self.latestOfEachIssuer(crls)
        generation = Self.generations.wrappingAdd(1, ordering: .relaxed).newValue
        unrevoked = crls.isEmpty ? nil : try TrustStore(anchors: anchors, intermediates: intermediates)
        sharedStore = try X509StoreHandle(
            certificates: anchors + intermediates, crls: self.crls, verificationTime: nil)
        var index: [UInt: [Certificate]] = [:]
        var ambiguous = false
        for certificate in anchors + intermediates {
            let hash = Self.subjectHash(certificate)
            let sameSubject = index[hash, default: []].filter { Self.sameSubject($0, certificate) }
            if sameSubject.contains(where: { $0 != certificate }) { ambiguous = true }
            index[hash, default: []].append(certificate)
        }
        bySubjectHash = index
        hasAmbiguousSubjects = ambiguous
        OpenSSLErrorQueue.clear()
    }

    /// One CRL of the store and its state at a time.
    public struct CRLStatus: Sendable {
        public let crl: CertificateRevocationList
        public let state: CertificateRevocationList.State
    }

    /// The state of each CRL in force at `now` (`CertificateRevocationList.state(at:)`), in the
    /// order of `crls`; empty without CRLs.
    public func crlStatuses(at now: Date) -> [CRLStatus] {
        crls.map { CRLStatus(crl: $0, state: $0.state(at: now)) }
    }

    /// Of `crls`, the latest (thisUpdate) of each CA, in the order each CA first appears.
    private static func latestOfEachIssuer(_ crls: [CertificateRevocationList]) -> [CertificateRevocationList] {
        var latest: [CertificateRevocationList] = []
        for crl in crls {
            if let index = latest.firstIndex(where: { $0.hasSameIssuer(as: crl) }) {
                if crl.lastUpdate > latest[index].lastUpdate { latest[index] = crl }
            } else {
                latest.append(crl)
            }
        }
        return latest
    }

    /// A store of the same certificates and CRLs whose verifications happen at
    /// `verificationTime` (for `CMS_verify`, which takes its parameters from the store).
    func makeStore(verificationTime: Int64) throws(SigningError) -> X509StoreHandle {
        try X509StoreHandle(certificates: anchors + intermediates, crls: crls, verificationTime: verificationTime)
    }

    /// Whether some certificate of this store other than `certificate` has its subject.
    func holdsOtherCertificate(withSubjectOf certificate: OpaquePointer) -> Bool {
        let hash = Self.subjectHash(x509: certificate)
        return bySubjectHash[hash, default: []].contains { candidate in
            candidate.withX509 { stored in
                X509_NAME_cmp(X509_get_subject_name(stored), X509_get_subject_name(certificate)) == 0
                    && X509_cmp(stored, certificate) != 0
            }
        }
    }

    private static func subjectHash(_ certificate: Certificate) -> UInt {
        certificate.withX509 { subjectHash(x509: $0) }
    }

    static func subjectHash(x509: OpaquePointer) -> UInt {
        var ok: Int32 = 0
        let hash = X509_NAME_hash_ex(X509_get_subject_name(x509), nil, nil, &ok)
        return ok == 1 ? hash : 0
    }

    private static func sameSubject(_ a: Certificate, _ b: Certificate) -> Bool {
        a.withX509 { x in b.withX509 { y in X509_NAME_cmp(X509_get_subject_name(x), X509_get_subject_name(y)) == 0 } }
    }
}
