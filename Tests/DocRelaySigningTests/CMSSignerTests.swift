import DocRelaySigning
import Foundation
import Testing

@Suite struct CMSSignerTests {
    let pki = TestPKI.shared

    @Test func signaturesHaveTheContractShape() throws {
        let base = TestPKI.base("shape")
        let tree = try TestDER.parse(try CMSSigner.signDetached(base, identity: pki.agency))
        // ContentInfo: id-signedData, detached id-data, the signer's certificate, one signer.
        #expect(tree[[0]] == .primitive(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]))
        #expect(tree[CMSPath.encapsulatedContent].children == [.primitive(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01])])
        #expect(tree[CMSPath.certificates].children == [try TestDER.parse(pki.agency.certificate.der)])
        #expect(tree[CMSPath.signerInfos].children.count == 1)
        // SHA-256, and the digest of the content in the messageDigest attribute.
        let sha256: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        #expect(tree[CMSPath.signerDigestAlgorithm].children.first == .primitive(0x06, sha256))
        let attributes = tree[CMSPath.signedAttributes].children
        let messageDigest = attributes.first { $0.children.first == .primitive(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]) }
        #expect(messageDigest?.children.last?.children.first == .primitive(0x04, SHA256Digest.hash(base)))
        #expect(attributes.count == 4)
    }

    @Test func chainsAreIncluded() throws {
        let tree = try TestDER.parse(try CMSSigner.signDetached([1, 2, 3], identity: pki.agencyBelowIntermediate))
        #expect(Set(tree[CMSPath.certificates].children.map(\.der)) == [
            pki.agencyBelowIntermediate.certificate.der, pki.intermediate.der,
        ])
    }

    @Test func pssSignaturesNameRSASSAPSS() throws {
        let tree = try TestDER.parse(try CMSSigner.signDetached([0], identity: pki.agency, scheme: .rsaPSS))
        let pss: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]
        #expect(tree[CMSPath.signatureAlgorithm].children.first == .primitive(0x06, pss))
        // ECDSA keys ignore the scheme.
        let ec = try TestDER.parse(try CMSSigner.signDetached([0], identity: pki.agencyEC, scheme: .rsaPSS))
        #expect(ec[CMSPath.signatureAlgorithm].children == [.primitive(0x06, [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02])])
    }

    @Test func emptyAndLargeContent() throws {
        let trust = try pki.trust()
        for content in [[UInt8](), [UInt8](repeating: 0x41, count: 1 << 20)] {
            let signature = try CMSSigner.signDetached(content, identity: pki.agency)
            for verifier in [FastCMSVerifier(), OpenSSLCMSVerifier()] as [any DetachedSignatureVerifier] {
                _ = try verifier.verify(signature: signature, content: content, trust: trust, at: TestPKI.now)
            }
        }
    }

    @Test func sha256Digest() {
        #expect(SHA256Digest.hex(SHA256Digest.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(SHA256Digest.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
    }
}
