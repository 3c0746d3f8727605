import DocRelaySigning
import Foundation
import Testing

/// Issue 11, point 3: a CRL's own validity is judged when it is loaded, at now, not at the
/// document's `dr-created`; a certificate a loaded CRL lists is revoked whatever its revocation
/// date, and the refusal says which certificate, when, why and by whose CRL. Both verifiers alike.
@Suite struct RevocationTests {
    let pki = TestPKI.shared
    let base = TestPKI.base("revocation")
    static let hour: TimeInterval = 3600

    static let verifiers: [any DetachedSignatureVerifier] = [FastCMSVerifier(), OpenSSLCMSVerifier()]

    /// The root's CRL issued at `at`, valid `validFor`, listing `revocations`.
    func rootCRL(
        _ revocations: [DevelopmentPKI.Revocation] = [], at: Date, validFor: TimeInterval = 7 * 86_400
    ) throws -> CertificateRevocationList {
        try DevelopmentPKI.revocationList(
            issuer: pki.root, issuerKey: pki.rootKey, revocations: revocations, at: at, validFor: validFor)
    }

    /// The error of verifying `signature` at TestPKI.now, or nil when it verifies.
    func failure(
        _ verifier: any DetachedSignatureVerifier, _ signature: [UInt8], trust: TrustStore, at time: Date = TestPKI.now
    ) -> SigningError? {
        do {
            _ = try verifier.verify(signature: signature, content: base, trust: trust, at: time)
            return nil
        } catch {
            return error
        }
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    @Test("The reported bug: a document signed an hour before the CA's regular CRL, signer not revoked, verifies",
          arguments: verifiers)
    func aCRLIssuedAfterTheDocumentDoesNotRefuseIt(verifier: any DetachedSignatureVerifier) throws {
        let crl = try rootCRL([.init(pki.revoked.certificate, reason: .keyCompromise)], at: TestPKI.now.addingTimeInterval(Self.hour))
        let trust = try pki.trust(crls: [crl])
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        let error = failure(verifier, signature, trust: trust)
        #expect(error == nil, "\(error.map { "\($0)" } ?? "")")
        // Twice: the fast verifier's cached outcome too.
        #expect(failure(verifier, signature, trust: trust) == nil)
    }

    @Test("A revoked signer is refused with its subject, serial, revocation date, reason and the CRL's issuer",
          arguments: verifiers)
    func aRevokedSignerIsRefusedWithWhatRevokedIt(verifier: any DetachedSignatureVerifier) throws {
        let revokedAt = TestPKI.now.addingTimeInterval(-86_400)
        let crl = try rootCRL(
            [.init(pki.revoked.certificate, at: revokedAt, reason: .keyCompromise)], at: TestPKI.now.addingTimeInterval(-Self.hour))
        let trust = try pki.trust(crls: [crl])
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        let expected = "the signer's certificate chain does not verify: certificate revoked: \(pki.revoked.certificate.subject) "
            + "serial 0x\(pki.revoked.certificate.serialNumberHex.uppercased()) revoked at \(Self.rfc3339(revokedAt)) "
            + "(keyCompromise) by the CRL of \(pki.root.subject)"
        for round in 1...2 {
            let error = try #require(failure(verifier, signature, trust: trust), "accepted, round \(round)")
            #expect(error.reason == .certificateRevoked)
            #expect(error.message == expected, "round \(round)")
        }
        // Without a reason code, none is named.
        let plain = try pki.trust(crls: [try rootCRL([.init(pki.revoked.certificate, at: revokedAt)], at: TestPKI.now)])
        let error = try #require(failure(verifier, signature, trust: plain))
        #expect(error.message.hasSuffix("revoked at \(Self.rfc3339(revokedAt)) by the CRL of \(pki.root.subject)"), "\(error)")
    }

    @Test("Revoked whatever the revocation date: dr-created before it does not save a revoked key", arguments: verifiers)
    func revokedAfterTheDocumentIsStillRevoked(verifier: any DetachedSignatureVerifier) throws {
        let revokedAt = TestPKI.now.addingTimeInterval(2 * Self.hour)
        let crl = try rootCRL(
            [.init(pki.revoked.certificate, at: revokedAt, reason: .superseded)], at: TestPKI.now.addingTimeInterval(3 * Self.hour))
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        let error = try #require(failure(verifier, signature, trust: try pki.trust(crls: [crl])))
        #expect(error.reason == .certificateRevoked)
        #expect(error.message.contains("revoked at \(Self.rfc3339(revokedAt)) (superseded)"), "\(error)")
    }

    @Test("An expired CRL is still used: the signers it lists are refused, the others verify", arguments: verifiers)
    func anExpiredCRLStillRevokesAndLetsOthersPass(verifier: any DetachedSignatureVerifier) throws {
        let crl = try rootCRL(
            [.init(pki.revoked.certificate, reason: .cessationOfOperation)], at: TestPKI.now.addingTimeInterval(-40 * 86_400),
            validFor: 30 * 86_400)
        #expect(try #require(crl.nextUpdate) < TestPKI.now)
        let trust = try pki.trust(crls: [crl])
        let good = try CMSSigner.signDetached(base, identity: pki.agency)
        let error = failure(verifier, good, trust: trust)
        #expect(error == nil, "\(error.map { "\($0)" } ?? "")")
        let revoked = try CMSSigner.signDetached(base, identity: pki.revoked)
        #expect(failure(verifier, revoked, trust: trust)?.reason == .certificateRevoked)
    }

    @Test("Of two CRLs by one CA the later is in force: it revokes even when the earlier one was current at dr-created",
          arguments: verifiers)
    func theLatestCRLOfAnIssuerIsInForce(verifier: any DetachedSignatureVerifier) throws {
        let earlier = try rootCRL([], at: TestPKI.now.addingTimeInterval(-86_400), validFor: 30 * 86_400)
        let later = try rootCRL([.init(pki.revoked.certificate, reason: .keyCompromise)], at: TestPKI.now.addingTimeInterval(Self.hour))
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        for order in [[earlier, later], [later, earlier]] {
            let trust = try pki.trust(crls: order)
            #expect(trust.crls.count == 1)
            #expect(trust.crls.first?.lastUpdate == later.lastUpdate)
            #expect(failure(verifier, signature, trust: trust)?.reason == .certificateRevoked)
        }
    }

    @Test("Both verifiers word a revocation alike, cold and from the fast verifier's cache")
    func bothVerifiersGiveTheSameText() throws {
        let crl = try rootCRL(
            [.init(pki.revoked.certificate, at: TestPKI.now.addingTimeInterval(-600), reason: .affiliationChanged)],
            at: TestPKI.now)
        let trust = try pki.trust(crls: [crl])
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        let fast = FastCMSVerifier()
        let reference = try #require(failure(OpenSSLCMSVerifier(), signature, trust: trust))
        let cold = try #require(failure(fast, signature, trust: trust))
        let cached = try #require(failure(fast, signature, trust: trust))
        #expect(reference.message.contains("serial 0x\(pki.revoked.certificate.serialNumberHex.uppercased())"), "\(reference)")
        #expect(cold.message == reference.message)
        #expect(cached.message == reference.message)
        #expect(fast.statistics.cacheMisses == 1)
        #expect(fast.statistics.delegated == 0)
    }

    @Test("Each CRL's state at a time: current, not yet valid beyond 5 min of clock skew, expired after nextUpdate")
    func crlStatesAtATime() throws {
        let crl = try rootCRL([], at: TestPKI.now, validFor: 86_400)
        let trust = try pki.trust(crls: [crl])
        func state(at date: Date) -> CertificateRevocationList.State? {
            trust.crlStatuses(at: date).first?.state
        }
        #expect(trust.crlStatuses(at: TestPKI.now).count == 1)
        #expect(trust.crlStatuses(at: TestPKI.now).first?.crl === trust.crls.first)
        #expect(state(at: TestPKI.now) == .current)
        #expect(state(at: TestPKI.now.addingTimeInterval(-300)) == .current)
        #expect(state(at: TestPKI.now.addingTimeInterval(-301)) == .notYetValid)
        #expect(state(at: TestPKI.now.addingTimeInterval(86_400)) == .current)
        #expect(state(at: TestPKI.now.addingTimeInterval(86_401)) == .expired)
        #expect(crl.state(at: TestPKI.now.addingTimeInterval(86_401)) == .expired)
        #expect(try pki.trust().crlStatuses(at: TestPKI.now).isEmpty)
    }

    @Test("withoutRevocation: the same anchors and intermediates without CRLs, made once; itself without CRLs")
    func withoutRevocation() throws {
        let trust = try pki.trust(crls: [pki.crl])
        let free = trust.withoutRevocation
        #expect(free !== trust)
        #expect(free.crls.isEmpty && !free.checksRevocation)
        #expect(free.anchors == trust.anchors && free.intermediates == trust.intermediates)
        #expect(free.generation != trust.generation)
        #expect(trust.withoutRevocation === free, "made once: its generation keys the fast verifier's cache")
        let plain = try pki.trust()
        #expect(plain.withoutRevocation === plain)
        // It does what it says: the revoked signer verifies there.
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        for verifier in Self.verifiers {
            #expect(failure(verifier, signature, trust: trust)?.reason == .certificateRevoked)
            #expect(failure(verifier, signature, trust: free) == nil)
        }
    }
}
