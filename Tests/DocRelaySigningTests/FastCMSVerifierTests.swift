import DocRelaySigning
import Foundation
import Testing

/// The fast verifier's cache: used, bounded, keyed by trust store generation, honouring time.
@Suite struct FastCMSVerifierTests {
    let pki = TestPKI.shared
    let base = TestPKI.base("cache")

    @Test func theContractFormTakesTheFastPath() throws {
        let fast = FastCMSVerifier()
        let trust = try pki.trust()
        for identity in [pki.agency, pki.agencyEC, pki.agencyBelowIntermediate] {
            for scheme in [SignatureScheme.rsaPKCS1v15, .rsaPSS] {
                let signature = try CMSSigner.signDetached(base, identity: identity, scheme: scheme)
                for _ in 0..<3 {
                    _ = try fast.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
                }
            }
        }
        let statistics = fast.statistics
        #expect(statistics.delegated == 0, "\(statistics)")
        #expect(statistics.fast == 18)
        #expect(statistics.cacheMisses == 3)  // one per certificate set
        #expect(statistics.cachedSigners == 3)
    }

    @Test func aCachedChainIsJudgedAtEachTime() throws {
        let fast = FastCMSVerifier()
        let trust = try pki.trust()
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        let certificate = pki.agency.certificate
        _ = try fast.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
        #expect(throws: SigningError.self) {
            try fast.verify(signature: signature, content: base, trust: trust, at: certificate.notAfter.addingTimeInterval(10))
        }
        do {
            _ = try fast.verify(signature: signature, content: base, trust: trust, at: certificate.notAfter)
            Issue.record("accepted at notAfter")
        } catch {
            #expect(error.reason == .certificateExpired)
        }
        do {
            _ = try fast.verify(signature: signature, content: base, trust: trust, at: pki.root.notBefore.addingTimeInterval(-5))
            Issue.record("accepted before the root's notBefore")
        } catch {
            #expect(error.reason == .certificateNotYetValid)
        }
        _ = try fast.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
        #expect(fast.statistics.cacheMisses == 1)
        #expect(fast.statistics.delegated == 0)
    }

    @Test func aNewTrustStoreMissesTheCache() throws {
        let fast = FastCMSVerifier()
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        let before = try pki.trust()
        _ = try fast.verify(signature: signature, content: base, trust: before, at: TestPKI.now)
        // The CRL arrives: a new store, a new generation, and the revoked signer is refused.
        let after = try pki.trust(crls: [pki.crl])
        #expect(after.generation != before.generation)
        do {
            _ = try fast.verify(signature: signature, content: base, trust: after, at: TestPKI.now)
            Issue.record("revoked signer accepted")
        } catch {
            #expect(error.reason == .certificateRevoked)
        }
        #expect(fast.statistics.cacheMisses == 2)
        // The revocation is itself remembered: no new chain validation.
        #expect(throws: SigningError.self) {
            try fast.verify(signature: signature, content: base, trust: after, at: TestPKI.now)
        }
        #expect(fast.statistics.cacheMisses == 2)
        // Outside the CRL's period the fast path still judges: the CRL's own period is judged
        // at load, not at the verification time, and the reference agrees.
        let late = try #require(pki.crl.nextUpdate)
        let good = try CMSSigner.signDetached(base, identity: pki.agency)
        let delegated = fast.statistics.delegated
        _ = try fast.verify(signature: good, content: base, trust: after, at: late)
        _ = try OpenSSLCMSVerifier().verify(signature: good, content: base, trust: after, at: late)
        #expect(fast.statistics.delegated == delegated)
    }

    @Test func theCacheIsBounded() throws {
        let fast = FastCMSVerifier(capacity: 2)
        let trust = try pki.trust()
        let identities = [pki.agency, pki.agencyEC, pki.agencyBelowIntermediate, pki.revoked]
        let signatures = try identities.map { try CMSSigner.signDetached(base, identity: $0) }
        for _ in 0..<3 {
            for signature in signatures {
                _ = try fast.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
            }
        }
        #expect(fast.statistics.cachedSigners == 2)
        #expect(fast.statistics.cacheMisses > 4)
        // A hot signer keeps its entry while others come and go (second chance).
        let hot = signatures[0]
        let missesBefore = fast.statistics.cacheMisses
        for signature in signatures.dropFirst() {
            _ = try fast.verify(signature: hot, content: base, trust: trust, at: TestPKI.now)
            _ = try fast.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
        }
        _ = try fast.verify(signature: hot, content: base, trust: trust, at: TestPKI.now)
        #expect(fast.statistics.cacheMisses - missesBefore <= 4)
    }

    @Test func concurrentVerificationsAgree() async throws {
        let fast = FastCMSVerifier(capacity: 3)
        let trust = try pki.trust(crls: [pki.crl])
        let cases: [(SigningIdentity, SigningError.Reason?)] = [
            (pki.agency, nil), (pki.agencyEC, nil), (pki.revoked, .certificateRevoked),
            (pki.stranger, .untrustedSigner), (pki.expired, .certificateExpired),
        ]
        let signed = try cases.map { (try CMSSigner.signDetached(base, identity: $0.0), $0.1) }
        let content = base
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var failures = 0
                    for round in 0..<150 {
                        let (signature, expected) = signed[(round + worker) % signed.count]
                        do throws(SigningError) {
                            _ = try fast.verify(signature: signature, content: content, trust: trust, at: TestPKI.now)
                            if expected != nil { failures += 1 }
                        } catch {
                            if error.reason != expected { failures += 1 }
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
