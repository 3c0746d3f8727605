import DocRelaySigning
import Foundation
import Testing

@Suite struct PrivateKeyTests {
    let pki = TestPKI.shared

    @Test func generatedKeysRoundTripAsPKCS8() throws {
        for key in [pki.agency.key, pki.agencyEC.key] {
            #expect(key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
            let again = try PrivateKey(pem: key.pem)
            #expect(again.kind == key.kind)
            #expect(again.pem == key.pem)
        }
        #expect(pki.agency.key.kind == .rsa(bits: 2048))
        #expect(pki.agencyEC.key.kind == .ecP256)
    }

    @Test(.enabled(if: OpenSSLCLI.isAvailable)) func traditionalAndEncryptedPEM() async throws {
        let traditional = try await OpenSSLCLI.run(["genrsa", "-traditional", "2048"])
        let text = String(decoding: traditional.stdout, as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: text).kind == .rsa(bits: 2048))
        let ec = try await OpenSSLCLI.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        #expect(try PrivateKey(pem: String(decoding: ec.stdout, as: UTF8.self)).kind == .ecP256)
        // An encrypted key is refused at once, never by prompting on a terminal.
        let folder = try TemporaryFolder()
        let plain = try folder.write("plain.key", pki.agency.key.pem)
        let encrypted = try await OpenSSLCLI.run([
            "pkcs8", "-topk8", "-in", plain, "-passout", "pass:secret", "-v2", "aes-256-cbc",
        ])
        #expect { try PrivateKey(pem: String(decoding: encrypted.stdout, as: UTF8.self)) } throws: { error in
            (error as? SigningError)?.reason == .invalidKey
        }
        let p384 = try await OpenSSLCLI.run(["ecparam", "-name", "secp384r1", "-genkey", "-noout"])
        #expect { try PrivateKey(pem: String(decoding: p384.stdout, as: UTF8.self)) } throws: { error in
            (error as? SigningError)?.reason == .unsupportedAlgorithm
        }
    }

    @Test func identities() throws {
        // The key of another certificate is refused.
        #expect { try SigningIdentity(certificate: pki.agency.certificate, key: pki.agencyEC.key) } throws: { error in
            (error as? SigningError)?.reason == .invalidKey
        }
        let folder = try TemporaryFolder()
        let certificate = try folder.write("agency.pem", pki.agencyBelowIntermediate.certificate.pem + pki.intermediate.pem)
        let key = try folder.write("agency.key", pki.agencyBelowIntermediate.key.pem)
        let identity = try SigningIdentity.load(certificateFile: certificate, keyFile: key)
        #expect(identity.certificate == pki.agencyBelowIntermediate.certificate)
        #expect(identity.chain == [pki.intermediate])
        let wrongKey = try folder.write("wrong.key", pki.agency.key.pem)
        #expect(throws: SigningError.self) { try SigningIdentity.load(certificateFile: certificate, keyFile: wrongKey) }
        #expect(throws: SigningError.self) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: SigningError.self) { try PrivateKey.generate(.rsa(bits: 512)) }
    }
}
