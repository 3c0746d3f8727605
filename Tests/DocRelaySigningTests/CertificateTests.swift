import DocRelaySigning
import Foundation
import Testing

@Suite struct CertificateTests {
    let pki = TestPKI.shared

    @Test func derAndPEMRoundTrip() throws {
        let certificate = pki.agency.certificate
        #expect(try Certificate(der: certificate.der) == certificate)
        #expect(try Certificate(pem: certificate.pem) == certificate)
        #expect(certificate.pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(certificate.sha256Fingerprint == SHA256Digest.hex(SHA256Digest.hash(certificate.der)))
        #expect(certificate.sha256Fingerprint.count == 64)
        #expect(Set([certificate, try Certificate(der: certificate.der)]).count == 1)
    }

    @Test func fields() throws {
        let certificate = pki.agency.certificate
        #expect(certificate.subject == "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN")
        #expect(certificate.issuer == "CN=DocRelay Test Root,O=Cục Chứng thực số,C=VN")
        #expect(certificate.notBefore == TestPKI.longAgo)
        #expect(certificate.notAfter == TestPKI.longAgo.addingTimeInterval(5 * TestPKI.year))
        #expect(!certificate.isCA)
        #expect(pki.root.isCA && pki.intermediate.isCA)
        #expect(certificate.serialNumberHex.count == 32)
        #expect(certificate.serialNumberHex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(certificate.serialNumberHex != pki.agencyEC.certificate.serialNumberHex)
    }

    @Test func bundles() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("bundle.pem", pki.agency.certificate.pem + "\n" + pki.root.pem + pki.intermediate.pem)
        #expect(try Certificate.load(pemFile: file) == [pki.agency.certificate, pki.root, pki.intermediate])
        let empty = try folder.write("empty.pem", "nothing here\n")
        #expect(throws: SigningError.self) { try Certificate.load(pemFile: empty) }
        #expect { try Certificate.load(pemFile: folder.url.appendingPathComponent("missing.pem").path) } throws: { error in
            (error as? SigningError)?.reason == .io
        }
    }

    @Test func malformedInputs() throws {
        let der = pki.agency.certificate.der
        for bytes in [[], [0x30], Array(der.dropLast()), der + [0x00], Array("hello".utf8)] {
            #expect { try Certificate(der: bytes) } throws: { error in
                (error as? SigningError)?.reason == .malformed
            }
        }
        var damaged = pki.agency.certificate.pem
        damaged.replace("MII", with: "XYZ", maxReplacements: 1)
        #expect(throws: SigningError.self) { try Certificate(pem: damaged) }
        #expect(throws: SigningError.self) { try Certificate(pem: "") }
        let folder = try TemporaryFolder()
        let file = try folder.write("damaged.pem", pki.root.pem + damaged)
        #expect(throws: SigningError.self) { try Certificate.load(pemFile: file) }
    }

    @Test func revocationLists() throws {
        let crl = pki.crl
        #expect(crl.issuer == pki.root.subject)
        #expect(crl.lastUpdate == TestPKI.now.addingTimeInterval(-86_400))
        #expect(crl.nextUpdate == TestPKI.now.addingTimeInterval(29 * 86_400))
        let fromDER = try CertificateRevocationList(der: crl.der)
        #expect(fromDER.der == crl.der)
        #expect(try CertificateRevocationList(pem: crl.pem).der == crl.der)
        let folder = try TemporaryFolder()
        let file = try folder.write("crls.pem", crl.pem + crl.pem)
        #expect(try CertificateRevocationList.load(pemFile: file).count == 2)
        #expect(throws: SigningError.self) { try CertificateRevocationList(der: crl.der + [0]) }
        #expect(throws: SigningError.self) { try CertificateRevocationList(pem: pki.root.pem) }
    }

    @Test func trustStores() throws {
        let first = try pki.trust()
        let second = try pki.trust(crls: [pki.crl])
        #expect(first.generation != second.generation)
        #expect(!first.checksRevocation && second.checksRevocation)
        #expect { try TrustStore(anchors: []) } throws: { error in (error as? SigningError)?.reason == .malformed }
        // A self-signed "intermediate" would be an anchor in disguise.
        #expect(throws: SigningError.self) { try TrustStore(anchors: [pki.root], intermediates: [pki.strangerRoot]) }
    }
}
