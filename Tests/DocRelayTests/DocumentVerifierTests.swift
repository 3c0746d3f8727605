import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation
import Testing

@Suite("The relay's checks on a record: each refusal with its class and reason")
struct DocumentVerifierTests {
    let fixture = VerificationFixture.shared

    private func rejection(
        _ record: (headers: [(name: String, value: [UInt8]?)], value: [UInt8]),
        verifier: DocumentVerifier? = nil
    ) throws -> Rejection {
        let result = (verifier ?? fixture.verifier()).verify(headers: record.headers, value: record.value)
        guard case .failure(let rejection) = result else {
            Issue.record("the record was accepted")
            throw RejectionExpected()
        }
        return rejection
    }

    struct RejectionExpected: Error {}

    @Test("A well-signed record passes, with its signer, sender and recipients", arguments: [true, false])
    func accepted(fast: Bool) throws {
        let verifier = fixture.verifier(fast ? FastCMSVerifier() : OpenSSLCMSVerifier())
        let record = try fixture.record()
        let document = try verifier.verify(headers: record.headers, value: record.value).get()
        #expect(document.sender?.code.rawValue == "000.00.00.G22")
        #expect(document.recipients.map(\.code.rawValue) == ["000.00.00.H58", "000.00.32.H53"])
        #expect(document.signer.fingerprint == fixture.g22.certificate.sha256Fingerprint)
    }

    @Test("A tampered value: signature class, and the sender is authentic (negative ack)")
    func tamperedValue() throws {
        var record = try fixture.record()
        record.value[0] ^= 1
        let refused = try rejection(record)
        #expect(refused.errorClass == .signature)
        #expect(refused.reason.contains("dr-sha256"))
        #expect(refused.authenticSender?.rawValue == "000.00.00.G22")
    }

    @Test("A tampered signed header does not verify; the sender is not authenticated",
          arguments: [
            (HeaderName.to, "000.00.00.H58"), (HeaderName.from, "000.00.00.H58"), (HeaderName.kind, "status"),
            (HeaderName.id, "another-id"), (HeaderName.created, "2026-01-01T00:00:00Z"),
          ])
    func tamperedHeader(name: String, value: String) throws {
        let record = try fixture.record()
        var headers = record.headers.replacing(name, with: value)
        if name == HeaderName.kind { headers = headers.replacing(HeaderName.ref, with: "doc-1") }
        let refused = try rejection((headers, record.value))
        #expect(refused.errorClass == .signature, "\(refused)")
        #expect(refused.authenticSender == nil)
    }

    @Test("A certificate from an untrusted CA: signature class, named")
    func untrustedCA() throws {
        let refused = try rejection(try fixture.record(by: fixture.untrusted))
        #expect(refused.errorClass == .signature)
        #expect(refused.reason.lowercased().contains("trust") || refused.reason.lowercased().contains("issuer"), "\(refused)")
    }

    @Test("A certificate expired at dr-created: signature class, named")
    func expiredCertificate() throws {
        let refused = try rejection(try fixture.record(by: fixture.expired))
        #expect(refused.errorClass == .signature)
        #expect(refused.reason.lowercased().contains("expired"), "\(refused)")
    }

    @Test("Agency A's valid certificate used with from = B: sender class, no ack to B")
    func wrongSender() throws {
        let refused = try rejection(try fixture.record(by: fixture.g22, from: "000.00.00.H58", to: ["000.00.32.H53"]))
        #expect(refused.errorClass == .sender)
        #expect(refused.reason.contains("not bound to 000.00.00.H58"))
        #expect(refused.authenticSender == nil)
    }

    @Test("A subject bound with its issuer: the same subject from another trusted CA is refused as sender")
    func subjectFromAnotherIssuer() throws {
        // H58 is bound by subject and issuer. The hub also trusts a second CA, which issued a
        // certificate with H58's subject: it verifies, but is not the bound certificate.
        let otherKey = try PrivateKey.generate(.ecP256)
        let otherCA = try DevelopmentPKI.makeCA(
            commonName: "Second trusted CA", organization: "Elsewhere", key: otherKey,
            validFrom: fixture.now.addingTimeInterval(-86_400), validFor: 365 * 86_400)
        let key = try PrivateKey.generate(.ecP256)
        let impostor = try SigningIdentity(
            certificate: try DevelopmentPKI.issue(
                commonName: "000.00.00.H58", organization: "Agency 000.00.00.H58", subjectKey: key, issuer: otherCA,
                issuerKey: otherKey, validFrom: fixture.now.addingTimeInterval(-86_400), validFor: 30 * 86_400),
            key: key)
        #expect(impostor.certificate.subject == fixture.h58.certificate.subject)
        let verifier = DocumentVerifier(
            directory: fixture.directory, trust: try TrustStore(anchors: fixture.trust.anchors + [otherCA]))
        let refused = try rejection(
            try fixture.record(by: impostor, from: "000.00.00.H58", to: ["000.00.00.G22"]), verifier: verifier)
        #expect(refused.errorClass == .sender)
        #expect(refused.authenticSender == nil)
        // H58's own certificate, same subject, bound issuer: accepted.
        let own = try fixture.record(by: fixture.h58, from: "000.00.00.H58", to: ["000.00.00.G22"])
        if case .failure(let rejection) = verifier.verify(headers: own.headers, value: own.value) {
            Issue.record("H58's own certificate refused: \(rejection)")
        }
    }

    @Test("An unknown recipient: recipient class, the sender told")
    func unknownRecipient() throws {
        let refused = try rejection(try fixture.record(to: ["000.00.00.H58", "000.00.00.H99"]))
        #expect(refused.errorClass == .recipient)
        #expect(refused.reason.contains("000.00.00.H99"))
        #expect(refused.authenticSender?.rawValue == "000.00.00.G22")
    }

    @Test("An undeclared non-QCVN code: refused, named, as sender or recipient")
    func undeclaredIdentifier() throws {
        let asRecipient = try rejection(try fixture.record(to: ["vxp.saas.99"]))
        #expect(asRecipient.errorClass == .recipient)
        #expect(asRecipient.reason.contains("vxp.saas.99"))
        let asSender = try rejection(try fixture.record(from: "vxp.saas.99", to: ["000.00.00.H58"]))
        #expect(asSender.errorClass == .malformed)
        #expect(asSender.reason.contains("vxp.saas.99"))
        let declared = try fixture.record(to: ["vxp.saas.03"])
        #expect(throws: Never.self) { try fixture.verifier().verify(headers: declared.headers, value: declared.value).get() }
    }

    @Test("Malformed base64 or DER in dr-signature: signature class")
    func malformedSignature() throws {
        let record = try fixture.record()
        let badBase64 = try rejection((record.headers.replacing(HeaderName.signature, with: "not*base64"), record.value))
        #expect([.signature, .malformed].contains(badBase64.errorClass))
        #expect(badBase64.reason.contains("dr-signature"))
        let badDER = try rejection((record.headers.replacing(HeaderName.signature, with: "MIIBAAAA"), record.value))
        #expect(badDER.errorClass == .signature)
        #expect(badDER.reason.contains("dr-signature"))
    }

    @Test("Missing or garbled headers: malformed; an oversized value: oversize")
    func malformedAndOversize() throws {
        let record = try fixture.record()
        let missing = try rejection((record.headers.filter { $0.name != HeaderName.created }, record.value))
        #expect(missing.errorClass == .malformed)
        #expect(missing.reason.contains("dr-created"))
        // (DocumentSigner refuses to sign it: the value is swapped after signing.)
        let big = try rejection((record.headers, [UInt8](repeating: 65, count: 1_100_000)))
        #expect(big.errorClass == .oversize)
    }

    /// `value` signed as edXML by the sender's own software (`DocumentSigner` refuses a DTD).
    private func signedElsewhere(_ value: String) throws -> (headers: [(name: String, value: [UInt8]?)], value: [UInt8]) {
        let bytes = Array(value.utf8)
        var signed = SignedHeaders(
            id: "doc-dtd", kind: .edoc, from: "000.00.00.G22", to: ["000.00.00.H58"], createdAt: fixture.now,
            contentType: "application/edxml+xml", sha256: SHA256Hex.of(bytes))
        signed.signature = Data(try CMSSigner.signDetached(signed.signatureBase, identity: fixture.g22)).base64EncodedString()
        return (signed.headers.map { ($0.name, Optional($0.value)) }, bytes)
    }

    @Test("edXML declaring a DTD (an entity-expansion bomb, an external entity): malformed, named, before any parsing")
    func edXMLWithDTD() throws {
        func edoc(_ doctype: String, organ: String, subject: String) -> String {
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\(doctype)<edXML><edXMLEnvelope><edXMLHeader><MessageHeader>"
                + "<From><OrganId>\(organ)</OrganId></From><To><OrganId>000.00.00.H58</OrganId></To><Subject>\(subject)</Subject>"
                + "</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
        }
        let bomb = edoc(
            "<!DOCTYPE edXML [<!ENTITY e \"\(String(repeating: "A", count: 200_000))\">]>", organ: "000.00.00.G22",
            subject: String(repeating: "&e;", count: 60_000))
        let external = edoc("<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", organ: "000.00.00.G22", subject: "&x;")
        for (label, value) in [("bomb", bomb), ("external entity", external)] {
            let record = try signedElsewhere(value)
            var refused: Rejection?
            let elapsed = try ContinuousClock().measure { refused = try rejection(record) }
            print("DocumentVerifier: edXML with a DTD (\(label), \(value.utf8.count) bytes) refused in \(elapsed)")
            #expect(refused?.errorClass == .malformed, "\(label)")
            #expect(refused?.reason == "edXML: edXML must not declare a DTD (<!DOCTYPE found at byte 39)", "\(label)")
            #expect(refused?.authenticSender?.rawValue == "000.00.00.G22", "the signature was checked first")
        }
    }

    @Test("edXML whose From/To disagree with the headers: malformed, named")
    func edXMLDisagreement() throws {
        let url = try #require(Bundle.module.url(forResource: "edoc-G22-to-three-agencies", withExtension: "edxml", subdirectory: "Fixtures"))
        let edXML = Array(try Data(contentsOf: url))
        // The edXML is addressed to H41, H14 and G17; the headers say H58.
        let refused = try rejection(try fixture.record(edXML, to: ["000.00.00.H58"], contentType: "application/edxml+xml"))
        #expect(refused.errorClass == .malformed)
        #expect(refused.reason.contains("edXML"))
        #expect(refused.reason.contains("To"))
    }
}
