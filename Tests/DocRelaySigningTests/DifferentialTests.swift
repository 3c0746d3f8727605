import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Testing

/// `FastCMSVerifier` against `OpenSSLCMSVerifier` (OpenSSL's `CMS_verify`): the same verdict
/// for every input — accepted by the same signer, or rejected for the same reason.
@Suite struct DifferentialTests {
    let corpus: DifferentialCorpus
    let pki = TestPKI.shared
    /// The root's CRLs whose own period does not hold at TestPKI.now (issue 11, point 3): one
    /// issued a day after it, one whose nextUpdate passed ten days before it; both revoke
    /// `pki.revoked`, with a reason code.
    let issuedLater: CertificateRevocationList
    let expired: CertificateRevocationList

    init() throws {
        corpus = try DifferentialCorpus()
        let revocation = DevelopmentPKI.Revocation(
            pki.revoked.certificate, at: TestPKI.now.addingTimeInterval(-3600), reason: .keyCompromise)
        issuedLater = try DevelopmentPKI.revocationList(
            issuer: pki.root, issuerKey: pki.rootKey, revocations: [revocation], at: TestPKI.now.addingTimeInterval(86_400))
        expired = try DevelopmentPKI.revocationList(
            issuer: pki.root, issuerKey: pki.rootKey, revocations: [revocation], at: TestPKI.now.addingTimeInterval(-40 * 86_400),
            validFor: 30 * 86_400)
    }

    /// Verifies every input with both; returns the disagreements. Thousands of verifications:
    /// on a thread of their own (`onOwnThread`), not on the cooperative pool.
    static func disagreements(
        _ inputs: [VerificationInput], fast: FastCMSVerifier, reference: OpenSSLCMSVerifier = OpenSSLCMSVerifier()
    ) async throws -> [String] {
        try await onOwnThread {
            inputs.compactMap { input in
                let expected = Verdict(reference, input)
                let actual = Verdict(fast, input)
                return expected == actual ? nil : "\(input): OpenSSL \(expected), fast \(actual)"
            }
        }
    }

    /// Times around the validity of `certificate` and of the test PKI's CAs.
    func interestingTimes(for certificate: Certificate) -> [Date] {
        var times = [TestPKI.now, Date(timeIntervalSince1970: 631_152_000), Date(timeIntervalSince1970: 7_258_118_400)]
        for edge in [certificate.notBefore, certificate.notAfter, pki.root.notBefore, pki.root.notAfter,
                     pki.intermediate.notAfter] {
            times += [edge.addingTimeInterval(-1), edge, edge.addingTimeInterval(0.5), edge.addingTimeInterval(1)]
        }
        // Around the CRLs' periods too.
        for crl in [pki.crl, issuedLater, expired] {
            times += [crl.lastUpdate.addingTimeInterval(-1), crl.lastUpdate]
            if let next = crl.nextUpdate { times += [next.addingTimeInterval(-1), next] }
        }
        return times
    }

    func trustStores() throws -> [(String, TrustStore)] {
        let sameSubjectKey = try PrivateKey.generate(.ecP256)
        let sameSubjectRoot = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Test Root", organization: "Cục Chứng thực số", key: sameSubjectKey,
            validFrom: TestPKI.longAgo, validFor: 3 * TestPKI.year)
        return [
            ("root", try pki.trust()),
            ("root with CRL", try pki.trust(crls: [pki.crl])),
            ("stranger", try TrustStore(anchors: [pki.strangerRoot])),
            ("root with a CRL issued after the time", try pki.trust(crls: [issuedLater])),
            ("root with an expired CRL", try pki.trust(crls: [expired])),
            ("root without intermediates", try TrustStore(anchors: [pki.root])),
            ("two roots of one subject", try TrustStore(anchors: [pki.root, sameSubjectRoot])),
        ]
    }

    @Test func validSignaturesAgreeAtEveryTimeAndStore() async throws {
        let fast = FastCMSVerifier()
        let stores = try trustStores()
        var inputs: [VerificationInput] = []
        for (name, signature) in try await corpus.validSignatures() {
            let signer = name.contains("ECDSA") ? pki.agencyEC.certificate
                : name.contains("intermediate") || name.contains("chain") ? pki.agencyBelowIntermediate.certificate
                : pki.agency.certificate
            for (storeName, store) in stores {
                for time in interestingTimes(for: signer) {
                    for (contentName, content) in [("", corpus.content), (", content tampered", corpus.content + [0x0A])] {
                        inputs.append(VerificationInput(
                            name: "\(name), \(storeName)\(contentName)", signature: signature, content: content,
                            trust: store, time: time))
                    }
                }
            }
        }
        let problems = try await Self.disagreements(inputs, fast: fast)
        #expect(problems.isEmpty, "\(problems.count) of \(inputs.count) disagree:\n\(problems.prefix(40).joined(separator: "\n"))")
        // The fast path judged most of them itself, not by handing them to OpenSSL.
        let statistics = fast.statistics
        #expect(statistics.fast > inputs.count / 3, "\(statistics)")
        // And both accept the contract's form at the time of the record.
        let contract = inputs.first { $0.name == "CMSSigner RSA PKCS#1, root" && $0.time == TestPKI.now }
        if let contract {
            #expect(Verdict(fast, contract).isAccepted)
        }
    }

    @Test(arguments: ["CMSSigner RSA PKCS#1", "openssl contract form", "openssl -keyid", "CMSSigner ECDSA",
                      "CMSSigner below an intermediate", "openssl PSS default salt"])
    func reencodingsAgree(base: String) async throws {
        let signatures = try await corpus.validSignatures()
        guard let signature = signatures.first(where: { $0.0 == base })?.1 else {
            // Only without the openssl command line.
            #expect(!OpenSSLCLI.isAvailable, "no signature \(base)")
            return
        }
        let signer = base.contains("ECDSA") ? pki.agencyEC.certificate
            : base.contains("intermediate") ? pki.agencyBelowIntermediate.certificate : pki.agency.certificate
        let variants = try corpus.reencodings(of: signature, signedBy: signer)
        let stores = try trustStores().prefix(3)
        let times = [TestPKI.now, signer.notAfter, signer.notBefore.addingTimeInterval(-1)]
        var inputs: [VerificationInput] = []
        for (name, variant) in [("original", signature)] + variants {
            for (storeName, store) in stores {
                for time in times {
                    inputs.append(VerificationInput(
                        name: "\(base), \(name), \(storeName)", signature: variant, content: corpus.content,
                        trust: store, time: time))
                }
            }
        }
        // Warm: the original's certificates are cached before the variants come.
        let warm = try await Self.disagreements(inputs, fast: FastCMSVerifier())
        #expect(warm.isEmpty, "warm cache, \(warm.count) of \(inputs.count) disagree:\n\(warm.prefix(40).joined(separator: "\n"))")
        // Cold: each variant is the first signature the verifier sees (at the record's time).
        var cold: [String] = []
        for input in inputs where input.time == TestPKI.now {
            if let problem = try await Self.disagreements([input], fast: FastCMSVerifier()).first { cold.append(problem) }
        }
        #expect(cold.isEmpty, "cold cache, \(cold.count) disagree:\n\(cold.prefix(40).joined(separator: "\n"))")
    }

    @Test func everyByteFlipAgrees() async throws {
        let signature = try CMSSigner.signDetached(corpus.content, identity: pki.agency)
        let trust = try pki.trust(crls: [pki.crl])
        let fast = FastCMSVerifier()
        let original = VerificationInput(
            name: "original", signature: signature, content: corpus.content, trust: trust, time: TestPKI.now)
        #expect(Verdict(fast, original).isAccepted)
        let inputs = DifferentialCorpus.byteFlips(of: signature).map {
            VerificationInput(name: $0.0, signature: $0.1, content: corpus.content, trust: trust, time: TestPKI.now)
        }
        let problems = try await Self.disagreements(inputs, fast: fast)
        #expect(problems.isEmpty, "\(problems.count) of \(inputs.count) disagree:\n\(problems.prefix(40).joined(separator: "\n"))")
        // CMS leaves some fields unsigned (versions, eContentType, algorithm parameters), and
        // OpenSSL accepts changes there; but no flip of the signed attributes or the signature is.
        let tree = try TestDER.parse(signature)
        let protected = [tree[CMSPath.signedAttributes].der, tree[CMSPath.signature].der].compactMap { part in
            signature.firstRange(of: part.dropFirst(2))
        }
        #expect(protected.count == 2)
        let accepted = zip(inputs.indices, inputs).filter { Verdict(fast, $0.1).isAccepted }.map(\.0)
        let acceptedProtected = accepted.filter { position in protected.contains { $0.contains(position) } }
        #expect(acceptedProtected.isEmpty, "flips accepted in signed parts: \(acceptedProtected)")
    }

    @Test func everyTruncationAgrees() async throws {
        let signature = try CMSSigner.signDetached(corpus.content, identity: pki.agencyBelowIntermediate)
        let trust = try pki.trust()
        let fast = FastCMSVerifier()
        let inputs = DifferentialCorpus.truncations(of: signature).map {
            VerificationInput(name: $0.0, signature: $0.1, content: corpus.content, trust: trust, time: TestPKI.now)
        }
        let problems = try await Self.disagreements(inputs, fast: fast)
        #expect(problems.isEmpty, "\(problems.count) of \(inputs.count) disagree:\n\(problems.prefix(40).joined(separator: "\n"))")
        #expect(inputs.allSatisfy { Verdict(fast, $0) == .rejected(.malformed) })
    }

    @Test func signerStatusesAgree() async throws {
        let stores = try trustStores().prefix(5)
        var inputs: [VerificationInput] = []
        for identity in [pki.expired, pki.notYetValid, pki.revoked, pki.stranger, pki.agency] {
            let signature = try CMSSigner.signDetached(corpus.content, identity: identity)
            for (storeName, store) in stores {
                for time in interestingTimes(for: identity.certificate) {
                    inputs.append(VerificationInput(
                        name: "\(Self.label(identity)), \(storeName)", signature: signature,
                        content: corpus.content, trust: store, time: time))
                }
            }
        }
        let fast = FastCMSVerifier()
        let problems = try await Self.disagreements(inputs, fast: fast)
        #expect(problems.isEmpty, "\(problems.count) of \(inputs.count) disagree:\n\(problems.prefix(40).joined(separator: "\n"))")
        #expect(fast.statistics.fast > 0)
        // Whatever the CRL's period at the time, the revoked signer is refused and the others
        // are judged on their certificates alone.
        for input in inputs where input.name.contains("CRL") {
            let verdict = Verdict(fast, input)
            if input.name.hasPrefix(Self.label(pki.revoked)) {
                if case .revoked = verdict {} else { Issue.record("\(input): \(verdict)") }
            } else if input.name.hasPrefix(Self.label(pki.agency)), input.time == TestPKI.now {
                #expect(verdict.isAccepted, "\(input): \(verdict)")
            }
        }
    }

    /// An identity in an input's name (the stranger's certificate has the agency's subject).
    static func label(_ identity: SigningIdentity) -> String {
        "\(identity.certificate.subject) by \(identity.certificate.issuer)"
    }
}
