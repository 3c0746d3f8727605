import DocRelaySigning
import Foundation
import Testing

/// Certificates the development PKI does not make, made by the `openssl` command line: a
/// TLS-client-only certificate and others of the wrong usage under the test root, and a chain
/// whose CAs sign with sha1WithRSAEncryption as the government's root and sub-CAs do.
/// Valid from when they are made: verify them at `Date()`.
struct PolicyPKI: @unchecked Sendable {
    // @unchecked Sendable: the folder is only read after init.
    let folder: TemporaryFolder
    /// keyUsage digitalSignature, keyEncipherment; extendedKeyUsage clientAuth only.
    let tlsClient: IdentityFiles
    /// keyUsage keyEncipherment only, no extendedKeyUsage.
    let keyEnciphermentOnly: IdentityFiles
    /// keyUsage nonRepudiation only: allowed.
    let nonRepudiationOnly: IdentityFiles
    /// keyUsage digitalSignature; extendedKeyUsage clientAuth and emailProtection: allowed.
    let clientAndEmail: IdentityFiles
    /// keyUsage digitalSignature; extendedKeyUsage documentSigning (RFC 9336): allowed.
    let documentSigning: IdentityFiles
    /// Root and sub-CA signing with sha1WithRSAEncryption, and an agency below them.
    let sha1Root: Certificate
    let sha1SubCA: Certificate
    let belowSHA1: IdentityFiles

    /// Built once, by the first test that awaits it.
    static let shared = Task<PolicyPKI?, Never> {
        guard OpenSSLCLI.isAvailable else { return nil }
        do {
            return try await PolicyPKI()
        } catch {
            Issue.record("cannot build the policy PKI: \(error)")
            return nil
        }
    }

    private init() async throws {
        let pki = TestPKI.shared
        let folder = try TemporaryFolder()
        self.folder = folder
        let rootFile = try folder.write("root.pem", pki.root.pem)
        let rootKeyFile = try folder.write("root.key", pki.rootKey.pem)
        func leaf(_ name: String, _ extensions: String, ca: String = rootFile, caKey: String = rootKeyFile,
                  digest: String = "sha256") async throws -> IdentityFiles {
            try await Self.issue(name, subject: "/CN=000.00.00.G22/O=Van phong Chinh phu/C=VN",
                           extensions: "basicConstraints=critical,CA:FALSE\n" + extensions,
                           ca: ca, caKey: caKey, digest: digest, in: folder)
        }
        tlsClient = try await leaf("tls-client", "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth")
        keyEnciphermentOnly = try await leaf("key-encipherment", "keyUsage=critical,keyEncipherment")
        nonRepudiationOnly = try await leaf("non-repudiation", "keyUsage=critical,nonRepudiation")
        clientAndEmail = try await leaf("client-email", "keyUsage=digitalSignature\nextendedKeyUsage=clientAuth,emailProtection")
        documentSigning = try await leaf("document-signing", "keyUsage=digitalSignature\nextendedKeyUsage=1.3.6.1.5.5.7.3.36")

        let caExtensions = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign"
        let sha1RootKey = try folder.write("sha1-root.key", try PrivateKey.generate(.rsa(bits: 2048)).pem)
        let sha1RootFile = folder.url.appendingPathComponent("sha1-root.pem").path
        let extFile = try folder.write("sha1-root.cnf", "[v3]\n" + caExtensions + "\nsubjectKeyIdentifier=hash\n")
        try await Self.run(["req", "-x509", "-new", "-key", sha1RootKey, "-sha1", "-days", "3650",
                      "-subj", "/CN=SHA1 Root CA/O=Ban Co yeu/C=VN", "-config", extFile, "-extensions", "v3",
                      "-out", sha1RootFile])
        let subCA = try await Self.issue("sha1-sub", subject: "/CN=SHA1 Sub CA/O=Ban Co yeu/C=VN", extensions: caExtensions,
                                   ca: sha1RootFile, caKey: sha1RootKey, digest: "sha1", in: folder)
        belowSHA1 = try await leaf("below-sha1", "keyUsage=critical,digitalSignature,nonRepudiation",
                             ca: subCA.certificate, caKey: subCA.key, digest: "sha1")
        sha1Root = try Certificate.load(pemFile: sha1RootFile)[0]
        sha1SubCA = try Certificate.load(pemFile: subCA.certificate)[0]
    }

    /// A new RSA key and a certificate for it signed by `ca` with `digest`.
    private static func issue(
        _ name: String, subject: String, extensions: String, ca: String, caKey: String, digest: String,
        in folder: TemporaryFolder
    ) async throws -> IdentityFiles {
        let key = try folder.write("\(name).key", try PrivateKey.generate(.rsa(bits: 2048)).pem)
        let request = folder.url.appendingPathComponent("\(name).csr").path
        let certificate = folder.url.appendingPathComponent("\(name).pem").path
        let extFile = try folder.write("\(name).ext", extensions + "\n")
        try await run(["req", "-new", "-key", key, "-subj", subject, "-out", request])
        try await run(["x509", "-req", "-in", request, "-CA", ca, "-CAkey", caKey, "-set_serial",
                 "0x\(UUID().uuidString.prefix(8))", "-days", "3650", "-\(digest)", "-extfile", extFile,
                 "-out", certificate])
        return IdentityFiles(certificate: certificate, key: key)
    }

    private static func run(_ arguments: [String]) async throws {
        let output = try await OpenSSLCLI.run(arguments)
        guard output.status == 0 else { throw OpenSSLCLI.SigningFailed(stderr: output.stderr) }
    }
}

extension IdentityFiles {
    init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

/// Issue 11, points 4 and 5: SHA-256 only, and a signer certificate meant to sign documents;
/// both verifiers, with the same reasons.
@Suite(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command line"))
struct SignaturePolicyTests {
    let pki = TestPKI.shared
    let base = TestPKI.base("policy")

    static let verifiers: [any DetachedSignatureVerifier] = [FastCMSVerifier(), OpenSSLCMSVerifier()]

    func verdict(
        _ verifier: any DetachedSignatureVerifier, _ signature: [UInt8], trust: TrustStore? = nil,
        at time: Date = Date()
    ) throws -> Result<VerifiedSigner, SigningError> {
        let store = try trust ?? pki.trust()
        do {
            return .success(try verifier.verify(signature: signature, content: base, trust: store, at: time))
        } catch {
            return .failure(error)
        }
    }

    func refusal(_ result: Result<VerifiedSigner, SigningError>) -> SigningError? {
        if case let .failure(error) = result { return error }
        return nil
    }

    @Test(arguments: verifiers)
    func sha1DigestIsRefused(verifier: any DetachedSignatureVerifier) async throws {
        let folder = try TemporaryFolder()
        let files = try IdentityFiles(pki.agency, in: folder, name: "agency")
        let signature = try await OpenSSLCLI.sign(base, identity: files, extra: ["-md", "sha1"])
        let error = try #require(refusal(try verdict(verifier, signature, at: TestPKI.now)))
        #expect(error.reason == .disallowedAlgorithm)
        #expect(error.message == "CMS digest algorithm sha1 is not SHA-256")
        // SHA-384 neither: the contract says SHA-256.
        let sha384 = try await OpenSSLCLI.sign(base, identity: files, extra: ["-md", "sha384"])
        #expect(refusal(try verdict(verifier, sha384, at: TestPKI.now))?.reason == .disallowedAlgorithm)
    }

    @Test(arguments: verifiers)
    func sha1SignatureAlgorithmIsRefused(verifier: any DetachedSignatureVerifier) throws {
        // The digest stays SHA-256; the SignerInfo's signature algorithm says RSA with SHA-1
        // (OpenSSL verifies it with the digest algorithm, and accepted it).
        var tree = try TestDER.parse(try CMSSigner.signDetached(base, identity: pki.agency))
        let sha1WithRSA: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05]
        tree[CMSPath.signatureAlgorithm] = .constructed(0x30, [.primitive(0x06, sha1WithRSA), .primitive(0x05, [])])
        let error = try #require(refusal(try verdict(verifier, tree.der, at: TestPKI.now)))
        #expect(error.reason == .disallowedAlgorithm)
        #expect(error.message.contains("sha1WithRSAEncryption"))
    }

    @Test(arguments: verifiers)
    func tlsClientCertificateIsRefused(verifier: any DetachedSignatureVerifier) async throws {
        let policy = try #require(await PolicyPKI.shared.value)
        let signature = try await OpenSSLCLI.sign(base, identity: policy.tlsClient)
        // Twice: the fast verifier's second verdict comes from its cache.
        for _ in 0..<2 {
            let error = try #require(refusal(try verdict(verifier, signature)))
            #expect(error.reason == .disallowedKeyUsage)
            #expect(error.message.contains("clientAuth"))
        }
    }

    @Test(arguments: verifiers)
    func keyUsageWithoutSigningIsRefused(verifier: any DetachedSignatureVerifier) async throws {
        let policy = try #require(await PolicyPKI.shared.value)
        let signature = try await OpenSSLCLI.sign(base, identity: policy.keyEnciphermentOnly)
        let error = try #require(refusal(try verdict(verifier, signature)))
        #expect(error.reason == .disallowedKeyUsage)
        #expect(error.message == "signer certificate's key usage allows neither digitalSignature nor nonRepudiation")
    }

    @Test(arguments: verifiers)
    func documentSigningUsagesAreAccepted(verifier: any DetachedSignatureVerifier) async throws {
        let policy = try #require(await PolicyPKI.shared.value)
        for files in [policy.nonRepudiationOnly, policy.clientAndEmail, policy.documentSigning] {
            let signature = try await OpenSSLCLI.sign(base, identity: files)
            #expect(refusal(try verdict(verifier, signature)) == nil, "\(files.certificate)")
        }
    }

    @Test(arguments: verifiers)
    func chainSignedWithSHA1StillVerifies(verifier: any DetachedSignatureVerifier) async throws {
        let policy = try #require(await PolicyPKI.shared.value)
        let trust = try TrustStore(anchors: [policy.sha1Root], intermediates: [policy.sha1SubCA])
        let signature = try await OpenSSLCLI.sign(base, identity: policy.belowSHA1)
        let result = try verdict(verifier, signature, trust: trust)
        #expect(refusal(result) == nil, "\(String(describing: refusal(result)))")
        // Also with the sub-CA carried in the signature only.
        let carried = try await OpenSSLCLI.sign(
            base, identity: policy.belowSHA1, extra: ["-certfile", policy.folder.url.appendingPathComponent("sha1-sub.pem").path])
        #expect(refusal(try verdict(verifier, carried, trust: try TrustStore(anchors: [policy.sha1Root]))) == nil)
    }

    /// The differential view: the new cases give the same verdicts in both verifiers, at
    /// several times and with the fast verifier's cache cold and warm.
    @Test func verifiersAgreeOnPolicyCases() async throws {
        let policy = try #require(await PolicyPKI.shared.value)
        let folder = try TemporaryFolder()
        let agencyFiles = try IdentityFiles(pki.agency, in: folder, name: "agency")
        let sha1Trust = try TrustStore(anchors: [policy.sha1Root], intermediates: [policy.sha1SubCA])
        let cases: [(String, IdentityFiles, [String], TrustStore)] = [
            ("sha1 digest", agencyFiles, ["-md", "sha1"], try pki.trust()),
            ("sha512 digest", agencyFiles, ["-md", "sha512"], try pki.trust()),
            ("sha1 digest, PSS", agencyFiles, ["-md", "sha1", "-keyopt", "rsa_padding_mode:pss"], try pki.trust()),
            ("TLS client", policy.tlsClient, [], try pki.trust()),
            ("TLS client, PSS", policy.tlsClient, ["-keyopt", "rsa_padding_mode:pss"], try pki.trust()),
            ("keyEncipherment only", policy.keyEnciphermentOnly, [], try pki.trust()),
            ("nonRepudiation only", policy.nonRepudiationOnly, [], try pki.trust()),
            ("clientAuth and emailProtection", policy.clientAndEmail, [], try pki.trust()),
            ("documentSigning", policy.documentSigning, [], try pki.trust()),
            ("below sha1WithRSA CAs", policy.belowSHA1, [], sha1Trust),
            ("TLS client, untrusted store", policy.tlsClient, [], sha1Trust),
        ]
        let fast = FastCMSVerifier()
        let reference = OpenSSLCMSVerifier()
        var inputs: [VerificationInput] = []
        for (name, files, extra, trust) in cases {
            let signature = try await OpenSSLCLI.sign(base, identity: files, extra: extra)
            for time in [Date(), Date().addingTimeInterval(20 * TestPKI.year), TestPKI.longAgo] {
                for content in [base, base + [0x0A]] {
                    inputs.append(VerificationInput(name: name, signature: signature, content: content, trust: trust, time: time))
                }
            }
        }
        for round in 0..<2 {
            for input in inputs {
                #expect(Verdict(fast, input) == Verdict(reference, input), "\(input), round \(round)")
            }
        }
        let now = inputs.filter { abs($0.time.timeIntervalSinceNow) < 3_600 && $0.content == base }
        let verdicts = Dictionary(now.map { ($0.name, Verdict(reference, $0)) }, uniquingKeysWith: { first, _ in first })
        #expect(verdicts["sha1 digest"] == .rejected(.disallowedAlgorithm))
        #expect(verdicts["TLS client"] == .rejected(.disallowedKeyUsage))
        #expect(verdicts["below sha1WithRSA CAs"]?.isAccepted == true)
        #expect(verdicts["TLS client, untrusted store"] == .rejected(.untrustedSigner))
    }
}
