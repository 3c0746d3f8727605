@testable import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Testing

/// A CA, an agency whose certificate is current, one whose certificate expired (valid from 60
/// to 30 days ago), the national hub's relay identity (bound to `hub:national`) and a CRL
/// revoking the current agency certificate; all made in-process.
private struct TimeFixture: Sendable {
    let ca: Certificate
    let caKey: PrivateKey
    let g22: SigningIdentity
    let expired: SigningIdentity
    let national: SigningIdentity
    let directory: Directory
    let trust: TrustStore
    let now = Date()

    static let shared: TimeFixture = {
        do { return try TimeFixture() } catch { preconditionFailure("fixture: \(error)") }
    }()

    init() throws {
        let now = self.now
        let start = now.addingTimeInterval(-400 * 86_400)
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(
            commonName: "Time CA", organization: "DocRelay tests", key: caKey, validFrom: start, validFor: 3650 * 86_400)
        func identity(_ name: String, from: Date, days: Double) throws -> SigningIdentity {
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: name, organization: "Time tests", subjectKey: key, issuer: ca, issuerKey: caKey,
                validFrom: from, validFor: days * 86_400)
            return try SigningIdentity(certificate: certificate, key: key, chain: [])
        }
        self.ca = ca
        self.caKey = caKey
        g22 = try identity("000.00.00.G22", from: start, days: 800)
        expired = try identity("000.00.00.G22", from: now.addingTimeInterval(-60 * 86_400), days: 30)
        national = try identity("relay.national", from: start, days: 800)
        trust = try TrustStore(anchors: [ca])
        directory = try Directory.parse("""
            hubs:
              - id: national
                kafka: { bootstrap: "127.0.0.1:9092" }
                certificates:
                  - sha256: "\(national.certificate.sha256Fingerprint)"
              - id: h58
                parent: national
                kafka: { bootstrap: "127.0.0.1:9092" }
                certificates:
                  - sha256: "\(g22.certificate.sha256Fingerprint)"
            agencies:
              - code: "000.00.00.G22"
                name: Văn phòng Chính phủ
                hub: national
                certificates:
                  - sha256: "\(g22.certificate.sha256Fingerprint)"
                  - sha256: "\(expired.certificate.sha256Fingerprint)"
              - code: "000.00.00.H58"
                name: UBND tỉnh Tiền Giang
                hub: h58
            """, path: "time-directory.yaml")
    }

    /// A record by `identity` dated `created`.
    func record(by identity: SigningIdentity? = nil, created: Date) throws -> (headers: [(name: String, value: [UInt8]?)], value: [UInt8]) {
        let value = Array("Quyết định số 28/2018/QĐ-TTg".utf8)
        let draft = DocumentDraft(
            id: nil, kind: .edoc, from: "000.00.00.G22", to: ["000.00.00.H58"], ref: nil, contentType: "text/plain",
            created: created)
        let signed = try DocumentSigner.sign(value, draft: draft, identity: identity ?? g22)
        return (signed.headers.map { ($0.name, Optional($0.value)) }, value)
    }

    /// A hub's verifier with the default rules (5 minutes of skew, 7 days of age), or none.
    func verifier(trust: TrustStore? = nil, rules: AcceptanceRules? = AcceptanceRules()) -> DocumentVerifier {
        DocumentVerifier(directory: directory, trust: trust ?? self.trust, rules: rules)
    }

    /// `record` with `acceptance` added, as a relay writes it.
    func accepted(
        _ record: (headers: [(name: String, value: [UInt8]?)], value: [UInt8]), by acceptance: HubAcceptance
    ) -> (headers: [(name: String, value: [UInt8]?)], value: [UInt8]) {
        (record.headers + acceptance.headers.map { ($0.name, Optional($0.value)) }, record.value)
    }

    /// A trust store whose CRL (issued a day ago) revokes g22's certificate as of two days ago.
    func revokingG22() throws -> TrustStore {
        let crl = try DevelopmentPKI.revocationList(
            issuer: ca, issuerKey: caKey, revoked: [g22.certificate], at: now.addingTimeInterval(-86_400))
        return try TrustStore(anchors: [ca], crls: [crl])
    }
}

@Suite("Trusted time: a hub judges dr-created against its own clock, once (issue 11, point 2)")
struct TrustedTimeTests {
    private let fixture = TimeFixture.shared

    private func refusal(
        _ verifier: DocumentVerifier, _ record: (headers: [(name: String, value: [UInt8]?)], value: [UInt8]), now: Date? = nil
    ) -> Rejection? {
        guard case .failure(let rejection) = verifier.verify(headers: record.headers, value: record.value, now: now ?? fixture.now)
        else { return nil }
        return rejection
    }

    @Test("Back-dated by a key whose certificate has expired: refused, the sender told")
    func backDatedWithExpiredCertificate() throws {
        // Signed "45 days ago", while the certificate was valid; it expired 30 days ago.
        let record = try fixture.record(by: fixture.expired, created: fixture.now.addingTimeInterval(-45 * 86_400))
        let tooOld = try #require(refusal(fixture.verifier(), record))
        #expect(tooOld.errorClass == .signature)
        #expect(tooOld.reason.contains("old at its first acceptance"), "\(tooOld)")
        #expect(tooOld.reason.contains("acceptance.max-age"))
        #expect(tooOld.authenticSender?.rawValue == "000.00.00.G22")

        // Even where documents may be a year old, the certificate must be valid at acceptance.
        let lenient = fixture.verifier(rules: AcceptanceRules(maxAge: .seconds(365 * 86_400)))
        let expired = try #require(refusal(lenient, record))
        #expect(expired.errorClass == .signature)
        #expect(expired.reason.contains("not valid at this hub's acceptance"), "\(expired)")
        #expect(expired.reason.contains("expired"), "\(expired)")
    }

    @Test("dr-created ahead of the hub's clock: within the skew accepted, beyond it refused",
          arguments: [(120.0, true), (3 * 86_400.0, false), (396 * 86_400.0, false)])
    func future(ahead: Double, accepted: Bool) throws {
        let record = try fixture.record(created: fixture.now.addingTimeInterval(ahead))
        let refused = refusal(fixture.verifier(), record)
        if accepted {
            #expect(refused == nil, "\(String(describing: refused))")
        } else {
            let refused = try #require(refused)
            #expect(refused.errorClass == .signature)
            #expect(refused.reason.contains("ahead of this hub's clock"), "\(refused)")
            #expect(refused.reason.contains("acceptance.max-skew"))
        }
    }

    @Test("A record judged here first says so; within the age it passes")
    func firstAcceptance() throws {
        let record = try fixture.record(created: fixture.now.addingTimeInterval(-3600))
        let document = try fixture.verifier().verify(headers: record.headers, value: record.value, now: fixture.now).get()
        #expect(document.acceptance == .firstHere(at: fixture.now))
        #expect(document.ignoredAcceptance == nil)
    }

    @Test("A hub's acceptance keeps the verdict: ten days later, and through a CRL revoking the signer")
    func acceptanceStands() throws {
        let created = fixture.now.addingTimeInterval(-12 * 86_400)
        let acceptedAt = created.addingTimeInterval(60)
        let record = try fixture.record(created: created)
        let signer = try AcceptanceSigner(hubID: "national", identity: fixture.national)
        let signed = try Envelope.decode(headers: record.headers, valueLength: record.value.count).signed
        let acceptance = try signer.accept(signed, at: acceptedAt)
        let attested = fixture.accepted(record, by: acceptance)

        // Without the acceptance, the record is too old now, and its signer revoked since.
        #expect(refusal(fixture.verifier(), record)?.reason.contains("acceptance.max-age") == true)
        let revoking = try fixture.revokingG22()
        let revoked = try #require(refusal(fixture.verifier(trust: revoking), record))
        #expect(revoked.errorClass == .signature)
        #expect(revoked.reason.contains("revoked"), "\(revoked)")

        for trust in [fixture.trust, revoking] {
            let document = try fixture.verifier(trust: trust).verify(
                headers: attested.headers, value: attested.value, now: fixture.now).get()
            #expect(document.acceptance == .attested(hubID: "national", at: try #require(RFC3339.parse(acceptance.at))))
            #expect(document.ignoredAcceptance == nil)
        }
        // The recipient's agent (no rules) keeps it too.
        let atAgent = try fixture.verifier(trust: revoking, rules: nil).verify(
            headers: attested.headers, value: attested.value, now: fixture.now).get()
        guard case .attested = atAgent.acceptance else {
            Issue.record("the agent did not take the hub's acceptance: \(atAgent.acceptance)")
            return
        }
    }

    @Test("An acceptance that does not hold is ignored, and the record judged as if it had none",
          arguments: ["another record's", "signed by an agency", "a hub not in the directory", "after the clock", "tampered time"])
    func forgedAcceptance(kind: String) throws {
        let created = fixture.now.addingTimeInterval(-12 * 86_400)
        let record = try fixture.record(created: created)
        let signed = try Envelope.decode(headers: record.headers, valueLength: record.value.count).signed
        let national = try AcceptanceSigner(hubID: "national", identity: fixture.national)
        var acceptance: HubAcceptance
        switch kind {
        case "another record's":
            let other = try fixture.record(created: created)
            let otherSigned = try Envelope.decode(headers: other.headers, valueLength: other.value.count).signed
            acceptance = try national.accept(otherSigned, at: created)
        case "signed by an agency":
            // A certificate the directory binds to hub h58 (an agency's), claiming national.
            acceptance = try AcceptanceSigner(hubID: "national", identity: fixture.g22).accept(signed, at: created)
        case "a hub not in the directory":
            acceptance = try AcceptanceSigner(hubID: "h99", identity: fixture.national).accept(signed, at: created)
        case "after the clock":
            acceptance = try national.accept(signed, at: fixture.now.addingTimeInterval(3600))
        default:
            let genuine = try national.accept(signed, at: created)
            acceptance = HubAcceptance(
                hubID: "national", at: RFC3339.format(created.addingTimeInterval(1), fractionalDigits: 3),
                atDate: created.addingTimeInterval(1), signature: genuine.signature)
        }
        let forged = fixture.accepted(record, by: acceptance)
        let refused = try #require(refusal(fixture.verifier(), forged))
        #expect(refused.errorClass == .signature)
        #expect(refused.reason.contains("acceptance.max-age"), "\(refused)")
        // And what the verifier says of the acceptance it ignored.
        let lenient = fixture.verifier(rules: AcceptanceRules(maxAge: .seconds(30 * 86_400)))
        let document = try lenient.verify(headers: forged.headers, value: forged.value, now: fixture.now).get()
        #expect(document.acceptance == .firstHere(at: fixture.now))
        #expect(document.ignoredAcceptance != nil)
    }

    @Test("Acceptance headers: both or neither, well formed")
    func malformedAcceptance() throws {
        let record = try fixture.record(created: fixture.now)
        let cases: [[(name: String, value: [UInt8]?)]] = [
            [(HeaderName.accepted, Array("national/2026-11-30T08:00:00Z".utf8))],
            [(HeaderName.acceptedSignature, Array("AAAA".utf8))],
            [(HeaderName.accepted, Array("national 2026-11-30".utf8)), (HeaderName.acceptedSignature, Array("AAAA".utf8))],
            [(HeaderName.accepted, Array("national/2026-11-30T08:00:00Z".utf8)), (HeaderName.acceptedSignature, Array("not base64".utf8))],
        ]
        for extra in cases {
            let refused = try #require(refusal(fixture.verifier(), (record.headers + extra, record.value)))
            #expect(refused.errorClass == .malformed, "\(refused)")
            #expect(refused.reason.contains("dr-accepted"), "\(refused)")
        }
    }

    @Test("The relay puts its acceptance in place of one it did not take")
    func relayReplacesAcceptance() throws {
        let record = try fixture.record(created: fixture.now)
        let signed = try Envelope.decode(headers: record.headers, valueLength: record.value.count).signed
        let national = try AcceptanceSigner(hubID: "national", identity: fixture.national)
        let old = try national.accept(signed, at: fixture.now.addingTimeInterval(-10))
        let new = try national.accept(signed, at: fixture.now)
        let kafka = KafkaRecord(
            topic: "docrelay.retry.5s", partition: 0, offset: 7, key: Array(signed.id.utf8), value: record.value,
            headers: fixture.accepted(record, by: old).headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        let replaced = RelayPolicy.accepted(kafka, by: new)
        #expect(replaced.headers.filter { $0.name == HeaderName.accepted }.map(\.value) == [Array(new.accepted.utf8)])
        #expect(replaced.headers.filter { $0.name == HeaderName.acceptedSignature }.count == 1)
    }
}
