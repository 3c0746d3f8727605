@testable import DocRelaySigning
import Foundation
import Testing

@Suite("PreparedSigner: the contract's signatures without OpenSSL's CMS builder")
struct PreparedSignerTests {
    private static func identity(_ kind: PrivateKey.KeyKind) throws -> (SigningIdentity, TrustStore) {
        let start = Date().addingTimeInterval(-3600)
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(commonName: "Prepared CA", organization: "Tests", key: caKey, validFrom: start, validFor: 86_400)
        let key = try PrivateKey.generate(kind)
        let certificate = try DevelopmentPKI.issue(
            commonName: "hub:national", organization: "Hub", subjectKey: key, issuer: ca, issuerKey: caKey, validFrom: start,
            validFor: 86_400)
        return (try SigningIdentity(certificate: certificate, key: key, chain: []), try TrustStore(anchors: [ca]))
    }

    @Test("Both verifiers and the openssl command line accept its signatures; a changed content is refused",
          arguments: [PrivateKey.KeyKind.ecP256, .rsa(bits: 2048)])
    func verifies(kind: PrivateKey.KeyKind) async throws {
        let (identity, trust) = try Self.identity(kind)
        let signer = try PreparedSigner(identity: identity)
        let content = Array("docrelay-v1\nid:ack-1\nkind:ack".utf8)
        let signature = try signer.sign(content)
        let reference = try OpenSSLCMSVerifier().verify(signature: signature, content: content, trust: trust, at: Date())
        #expect(reference.fingerprint == identity.certificate.sha256Fingerprint)
        let fast = FastCMSVerifier()
        _ = try fast.verify(signature: signature, content: content, trust: trust, at: Date())
        _ = try fast.verify(signature: try signer.sign(content + [1]), content: content + [1], trust: trust, at: Date())
        #expect(fast.statistics.delegated == 0, "the fast path reads it without OpenSSL's CMS parser")
        #expect(throws: SigningError.self) {
            try OpenSSLCMSVerifier().verify(signature: signature, content: content + [0], trust: trust, at: Date())
        }
        #expect(throws: SigningError.self) { try fast.verify(signature: signature, content: content + [0], trust: trust, at: Date()) }

        // The openssl command line, as an agency checking an ack would.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prepared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(content).write(to: folder.appendingPathComponent("content"))
        try Data(signature).write(to: folder.appendingPathComponent("signature.der"))
        try Data(trust.anchors.map(\.pem).joined().utf8).write(to: folder.appendingPathComponent("ca.pem"))
        let verified = try await OpenSSLCLI.run([
            "cms", "-verify", "-binary", "-inform", "DER", "-in", folder.appendingPathComponent("signature.der").path,
            "-content", folder.appendingPathComponent("content").path, "-CAfile", folder.appendingPathComponent("ca.pem").path,
            "-purpose", "any", "-out", "/dev/null",
        ])
        #expect(verified.status == 0, "\(verified.stderr)")
    }

    @Test("signingTime is the UTC time to the second, across years and leap days")
    func utcTime() {
        let cases: [(TimeInterval, String)] = [
            (0, "700101000000Z"), (951_782_400, "000229000000Z"), (1_796_000_000, "261130005320Z"),
            (2_524_607_999, "491231235959Z"), (1_709_164_799, "240228235959Z"),
        ]
        for (seconds, text) in cases {
            #expect(DER.utcTime(Date(timeIntervalSince1970: seconds)) == [0x17, 13] + Array(text.utf8), "\(seconds)")
        }
    }
}
