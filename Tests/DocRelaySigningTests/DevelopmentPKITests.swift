import DocRelaySigning
import Foundation
import Testing

/// What `DevelopmentPKI` issues, as `openssl x509 -text` reads it.
@Suite(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command line"))
struct DevelopmentPKITests {
    let pki = TestPKI.shared

    func text(_ certificate: Certificate) async throws -> String {
        let folder = try TemporaryFolder()
        let file = try folder.write("certificate.pem", certificate.pem)
        return String(decoding: try await OpenSSLCLI.run(["x509", "-in", file, "-noout", "-text"]).stdout, as: UTF8.self)
    }

    /// The hex of the key identifier on the line after `heading`.
    func keyIdentifier(after heading: String, in text: String) -> String? {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let index = lines.firstIndex(where: { $0.hasPrefix(heading) }), index + 1 < lines.count else { return nil }
        return lines[index + 1].replacingOccurrences(of: "keyid:", with: "")
    }

    @Test func rootCA() async throws {
        let text = try await text(pki.root)
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        #expect(text.contains("X509v3 Basic Constraints: critical"))
        #expect(text.contains("CA:TRUE"))
        #expect(text.contains("X509v3 Key Usage: critical"))
        #expect(text.contains("Digital Signature, Certificate Sign, CRL Sign"))
        let subjectKeyID = keyIdentifier(after: "X509v3 Subject Key Identifier", in: text)
        #expect(subjectKeyID != nil)
        #expect(keyIdentifier(after: "X509v3 Authority Key Identifier", in: text) == subjectKeyID)
        #expect(pki.root.subject == pki.root.issuer)
    }

    @Test func agencyCertificates() async throws {
        let rootKeyID = keyIdentifier(after: "X509v3 Subject Key Identifier", in: try await text(pki.root))
        for certificate in [pki.agency.certificate, pki.agencyEC.certificate] {
            let text = try await text(certificate)
            #expect(text.contains("CA:FALSE"))
            #expect(text.contains("Digital Signature"))
            #expect(!text.contains("Certificate Sign"))
            #expect(keyIdentifier(after: "X509v3 Authority Key Identifier", in: text) == rootKeyID)
            #expect(certificate.issuer == pki.root.subject)
        }
        #expect(try await text(pki.agencyEC.certificate).contains("prime256v1"))
        #expect(try await text(pki.intermediate).contains("CA:TRUE"))
    }

    @Test func revocationListsName() async throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("crl.pem", pki.crl.pem)
        let text = String(decoding: try await OpenSSLCLI.run(["crl", "-in", file, "-noout", "-text"]).stdout, as: UTF8.self)
        #expect(text.contains("Version 2 (0x1)"))
        #expect(text.contains("X509v3 CRL Number"))
        #expect(text.contains("X509v3 Authority Key Identifier"))
        #expect(text.uppercased().contains(pki.revoked.certificate.serialNumberHex.uppercased()))
    }

    @Test func invalidRequestsAreRefused() throws {
        let key = pki.agency.key
        #expect(throws: SigningError.self) {
            try DevelopmentPKI.makeCA(commonName: "X", organization: "Y", key: key, validFrom: TestPKI.now, validFor: 0)
        }
        #expect(throws: SigningError.self) {
            try DevelopmentPKI.makeCA(commonName: "", organization: "Y", key: key, validFrom: TestPKI.now, validFor: 60)
        }
        #expect(throws: SigningError.self) {
            try DevelopmentPKI.revocationList(
                issuer: pki.root, issuerKey: pki.rootKey, revoked: [], at: TestPKI.now, validFor: -1)
        }
    }
}
