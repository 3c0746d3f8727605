import DocRelaySigning
import Foundation
import Testing

/// Each failure the contract names is rejected with its own reason by both verifiers.
@Suite struct RejectionTests {
    let pki = TestPKI.shared
    let base = TestPKI.base("rejections")

    static let verifiers: [any DetachedSignatureVerifier] = [FastCMSVerifier(), OpenSSLCMSVerifier()]

    func reason(
        _ verifier: any DetachedSignatureVerifier, _ signature: [UInt8], content: [UInt8]? = nil,
        trust: TrustStore? = nil, at time: Date = TestPKI.now
    ) throws -> SigningError.Reason? {
        let store = try trust ?? pki.trust()
        do {
            _ = try verifier.verify(signature: signature, content: content ?? base, trust: store, at: time)
            return nil
        } catch {
            #expect(!error.message.isEmpty)
            return error.reason
        }
    }

    @Test(arguments: verifiers)
    func acceptsAValidSignature(verifier: any DetachedSignatureVerifier) throws {
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        let signer = try verifier.verify(signature: signature, content: base, trust: try pki.trust(), at: TestPKI.now)
        #expect(signer.subject == "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN")
        #expect(signer.fingerprint == pki.agency.certificate.sha256Fingerprint)
        #expect(signer.certificate == pki.agency.certificate)
    }

    @Test(arguments: verifiers)
    func tamperedContent(verifier: any DetachedSignatureVerifier) throws {
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        var tampered = base
        tampered[tampered.count / 2] ^= 0x20
        #expect(try reason(verifier, signature, content: tampered) == .badSignature)
        #expect(try reason(verifier, signature, content: []) == .badSignature)
        // A signed header changed: the signature base names another recipient.
        #expect(try reason(verifier, signature, content: TestPKI.base("rejections", to: "000.00.00.G22")) == .badSignature)
    }

    @Test(arguments: verifiers)
    func untrustedCA(verifier: any DetachedSignatureVerifier) throws {
        let signature = try CMSSigner.signDetached(base, identity: pki.stranger)
        #expect(try reason(verifier, signature) == .untrustedSigner)
        // And a trusted signature checked against a store that does not trust its CA.
        let ours = try CMSSigner.signDetached(base, identity: pki.agency)
        #expect(try reason(verifier, ours, trust: try TrustStore(anchors: [pki.strangerRoot])) == .untrustedSigner)
    }

    @Test(arguments: verifiers)
    func expiredAndNotYetValid(verifier: any DetachedSignatureVerifier) throws {
        #expect(try reason(verifier, try CMSSigner.signDetached(base, identity: pki.expired)) == .certificateExpired)
        #expect(try reason(verifier, try CMSSigner.signDetached(base, identity: pki.notYetValid)) == .certificateNotYetValid)
        // A valid certificate judged at a time outside its period.
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        let notAfter = pki.agency.certificate.notAfter
        #expect(try reason(verifier, signature, at: notAfter.addingTimeInterval(-1)) == nil)
        #expect(try reason(verifier, signature, at: notAfter) == .certificateExpired)
        let notBefore = pki.agency.certificate.notBefore
        #expect(try reason(verifier, signature, at: notBefore) == nil)
        #expect(try reason(verifier, signature, at: notBefore.addingTimeInterval(-1)) == .certificateNotYetValid)
    }

    @Test(arguments: verifiers)
    func revoked(verifier: any DetachedSignatureVerifier) throws {
        let signature = try CMSSigner.signDetached(base, identity: pki.revoked)
        #expect(try reason(verifier, signature) == nil)  // no CRL, no revocation check
        let withCRL = try pki.trust(crls: [pki.crl])
        #expect(try reason(verifier, signature, trust: withCRL) == .certificateRevoked)
        let good = try CMSSigner.signDetached(base, identity: pki.agency)
        #expect(try reason(verifier, good, trust: withCRL) == nil)
    }

    @Test(arguments: verifiers)
    func malformedAndTruncated(verifier: any DetachedSignatureVerifier) throws {
        let signature = try CMSSigner.signDetached(base, identity: pki.agency)
        #expect(try reason(verifier, []) == .malformed)
        #expect(try reason(verifier, Array("not a signature".utf8)) == .malformed)
        #expect(try reason(verifier, Array(signature.prefix(signature.count / 2))) == .malformed)
        #expect(try reason(verifier, Array(signature.dropLast())) == .malformed)
        // Base64 text is not DER.
        #expect(try reason(verifier, Array(Data(signature).base64EncodedString().utf8)) == .malformed)
    }

    @Test(arguments: verifiers)
    func missingSignerCertificate(verifier: any DetachedSignatureVerifier) throws {
        var tree = try TestDER.parse(try CMSSigner.signDetached(base, identity: pki.agency))
        tree[CMSPath.certificates] = .constructed(0xA0, [try TestDER.parse(pki.root.der)])
        #expect(try reason(verifier, tree.der) == .missingSignerCertificate)
    }

    @Test(arguments: verifiers)
    func badSignatureBytes(verifier: any DetachedSignatureVerifier) throws {
        var tree = try TestDER.parse(try CMSSigner.signDetached(base, identity: pki.agency))
        guard case .primitive(let tag, var bytes) = tree[CMSPath.signature] else {
            Issue.record("no signature value")
            return
        }
        bytes[bytes.count / 2] ^= 0x01
        tree[CMSPath.signature] = .primitive(tag, bytes)
        #expect(try reason(verifier, tree.der) == .badSignature)
    }
}
