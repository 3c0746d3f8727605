import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Subprocess
import SystemPackage
import Testing

/// Both ways with the `openssl` command line: what it signs as the contract shows, both
/// verifiers accept; what `CMSSigner` signs, `openssl cms -verify` accepts (and refuses for
/// tampered content).
@Suite(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command line"))
struct OpenSSLInteropTests {
    let pki = TestPKI.shared

    @Test(arguments: [false, true])
    func contractCommandVerifiesWithBothVerifiers(ecdsa: Bool) async throws {
        let folder = try TemporaryFolder()
        let identity = ecdsa ? pki.agencyEC : pki.agency
        let files = try IdentityFiles(identity, in: folder, name: "agency")
        let base = TestPKI.base("interop-\(ecdsa)")
        // The contract's command, through a shell, base64 and all.
        let script = "printf '%s' \"$BASE\" | openssl cms -sign -binary -outform DER -signer '\(files.certificate)' "
            + "-inkey '\(files.key)' -md sha256 | base64 -w0"
        // Spawned while no embedded broker binds its port again (`SpawnGate`).
        let gate = await SpawnGate.hold()
        let shell: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>
        do {
            shell = try await Subprocess.run(
                .path("/bin/sh"), arguments: ["-c", script],
                environment: .inherit.updating(["BASE": String(decoding: base, as: UTF8.self)]),
                input: .none, output: .bytes(limit: 1 << 20), error: .string(limit: 1 << 20)
            ) { _ in await gate.release() }
        } catch {
            await gate.release()
            throw error
        }
        #expect(shell.terminationStatus.isSuccess, "\(shell.standardError ?? "")")
        let encoded = Data(shell.standardOutput)
        let signature = try #require(Data(base64Encoded: encoded)).map { $0 }
        let trust = try pki.trust()
        for verifier in [FastCMSVerifier(), OpenSSLCMSVerifier()] as [any DetachedSignatureVerifier] {
            let signer = try verifier.verify(signature: signature, content: base, trust: trust, at: TestPKI.now)
            #expect(signer.certificate == identity.certificate)
            #expect(signer.fingerprint == identity.certificate.sha256Fingerprint)
            #expect(throws: SigningError.self) {
                try verifier.verify(signature: signature, content: base + [0x20], trust: trust, at: TestPKI.now)
            }
        }
    }

    @Test(arguments: [(false, SignatureScheme.rsaPKCS1v15), (false, .rsaPSS), (true, .rsaPKCS1v15)])
    func ourSignaturesVerifyWithOpenSSLCommandLine(ecdsa: Bool, scheme: SignatureScheme) async throws {
        let folder = try TemporaryFolder()
        let identity = ecdsa ? pki.agencyEC : pki.agency
        let base = TestPKI.base("ours-\(ecdsa)-\(scheme)")
        let signature = try CMSSigner.signDetached(base, identity: identity, scheme: scheme)
        let signatureFile = try folder.write("sig.der", signature)
        let baseFile = try folder.write("base.txt", base)
        let tamperedFile = try folder.write("tampered.txt", base + [0x0A])
        let caFile = try folder.write("ca.pem", pki.root.pem)
        func verify(_ content: String) async throws -> OpenSSLCLI.Output {
            try await OpenSSLCLI.run([
                "cms", "-verify", "-binary", "-inform", "DER", "-in", signatureFile, "-content", content,
                "-CAfile", caFile, "-purpose", "any", "-out", "/dev/null",
            ])
        }
        let good = try await verify(baseFile)
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try await verify(tamperedFile)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("Verification failure") || bad.stderr.contains("verify"), "\(bad.stderr)")
    }

    @Test func signatureShapeIsTheCommandLines() async throws {
        // Same structure as `openssl cms -sign -binary -md sha256`: detached, the signer's
        // certificate included, the four signed attributes.
        let base = TestPKI.base("shape")
        let ours = try TestDER.parse(try CMSSigner.signDetached(base, identity: pki.agency))
        let folder = try TemporaryFolder()
        let theirs = try await TestDER.parse(try await OpenSSLCLI.sign(base, identity: try IdentityFiles(pki.agency, in: folder, name: "a")))
        for tree in [ours, theirs] {
            #expect(tree[CMSPath.encapsulatedContent].children.count == 1)  // no eContent: detached
            #expect(tree[CMSPath.certificates].children.count == 1)
            #expect(tree[CMSPath.signedAttributes].children.count == 4)
            #expect(tree[CMSPath.signerDigestAlgorithm] == theirs[CMSPath.signerDigestAlgorithm])
        }
        #expect(ours[CMSPath.certificates] == theirs[CMSPath.certificates])
        #expect(ours[CMSPath.signatureAlgorithm] == theirs[CMSPath.signatureAlgorithm])
    }

    @Test func developmentCertificatesPassOpenSSLVerify() async throws {
        let folder = try TemporaryFolder()
        let ca = try folder.write("ca.pem", pki.root.pem)
        let untrusted = try folder.write("intermediate.pem", pki.intermediate.pem)
        let attime = String(Int(TestPKI.now.timeIntervalSince1970))
        for certificate in [pki.agency.certificate, pki.agencyEC.certificate, pki.intermediate] {
            let file = try folder.write("leaf.pem", certificate.pem)
            let result = try await OpenSSLCLI.run(["verify", "-attime", attime, "-CAfile", ca, file])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let below = try folder.write("below.pem", pki.agencyBelowIntermediate.certificate.pem)
        let chained = try await OpenSSLCLI.run(["verify", "-attime", attime, "-CAfile", ca, "-untrusted", untrusted, below])
        #expect(chained.status == 0, "\(chained.stderr)")
        // The CRL revokes what it should, as `openssl verify -crl_check` sees it.
        let crl = try folder.write("crl.pem", pki.crl.pem)
        let revoked = try folder.write("revoked.pem", pki.revoked.certificate.pem)
        let checked = try await OpenSSLCLI.run(["verify", "-attime", attime, "-crl_check", "-CAfile", ca, "-CRLfile", crl, revoked])
        #expect(checked.status != 0)
        #expect(checked.stdout.isEmpty || String(decoding: checked.stdout, as: UTF8.self).contains("revoked")
                || checked.stderr.contains("revoked"))
    }

    @Test func fieldsMatchOpenSSLx509() async throws {
        let folder = try TemporaryFolder()
        let certificate = pki.agency.certificate
        let file = try folder.write("agency.pem", certificate.pem)
        let output = try await OpenSSLCLI.run([
            "x509", "-in", file, "-noout", "-fingerprint", "-sha256", "-serial", "-subject", "-nameopt", "RFC2253,-esc_msb",
        ])
        let text = String(decoding: output.stdout, as: UTF8.self)
        let fingerprint = certificate.sha256Fingerprint.uppercased().enumerated()
            .map { $0.offset > 0 && $0.offset % 2 == 0 ? ":\($0.element)" : "\($0.element)" }.joined()
        #expect(text.contains("Fingerprint=\(fingerprint)"), "\(text)")
        #expect(text.lowercased().contains("serial=\(certificate.serialNumberHex)"), "\(text)")
        #expect(text.contains("subject=\(certificate.subject)"), "\(text)")
    }
}
