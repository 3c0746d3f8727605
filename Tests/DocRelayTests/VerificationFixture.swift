import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation

/// A development PKI and directory, made in-process: agencies G22 (national), H58 (h58) and a
/// department of Tây Ninh (h53), a second CA nobody trusts, and an expired certificate.
struct VerificationFixture: Sendable {
    let trust: TrustStore
    let directory: Directory
    let g22: SigningIdentity
    let h58: SigningIdentity
    let untrusted: SigningIdentity
    let expired: SigningIdentity
    let now = Date()

    static let shared: VerificationFixture = {
        do { return try VerificationFixture() } catch { preconditionFailure("fixture: \(error)") }
    }()

    init() throws {
        let start = Date().addingTimeInterval(-86_400)
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(
            commonName: "Test CA", organization: "DocRelay tests", key: caKey, validFrom: start, validFor: 365 * 86_400)
        func identity(_ code: String, issuer: Certificate, issuerKey: PrivateKey, from: Date = start,
                      days: Double = 30) throws -> SigningIdentity {
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: code, organization: "Agency \(code)", subjectKey: key, issuer: issuer, issuerKey: issuerKey,
                validFrom: from, validFor: days * 86_400)
            return try SigningIdentity(certificate: certificate, key: key, chain: [])
        }
        g22 = try identity("000.00.00.G22", issuer: ca, issuerKey: caKey)
        h58 = try identity("000.00.00.H58", issuer: ca, issuerKey: caKey)
        expired = try identity("000.00.00.G22", issuer: ca, issuerKey: caKey, from: start.addingTimeInterval(-40 * 86_400), days: 10)
        let otherKey = try PrivateKey.generate(.ecP256)
        let otherCA = try DevelopmentPKI.makeCA(
            commonName: "Someone else's CA", organization: "Elsewhere", key: otherKey, validFrom: start, validFor: 365 * 86_400)
        untrusted = try identity("000.00.00.G22", issuer: otherCA, issuerKey: otherKey)
        trust = try TrustStore(anchors: [ca])
        directory = try Directory.parse("""
            hubs:
              - id: national
                kafka: { bootstrap: "127.0.0.1:9092" }
              - id: h58
                parent: national
                kafka: { bootstrap: "127.0.0.1:9092" }
              - id: h53
                parent: national
                kafka: { bootstrap: "127.0.0.1:9092" }
            agencies:
              - code: "000.00.00.G22"
                name: Văn phòng Chính phủ
                hub: national
                certificates:
                  - sha256: "\(g22.certificate.sha256Fingerprint)"
                  - sha256: "\(expired.certificate.sha256Fingerprint)"
                  - sha256: "\(untrusted.certificate.sha256Fingerprint)"
              - code: "000.00.00.H58"
                name: UBND tỉnh Tiền Giang
                hub: h58
                certificates:
                  - subject: "\(h58.certificate.subject)"
                    issuer: "\(h58.certificate.issuer)"
              - code: "000.00.32.H53"
                name: Sở Nội vụ Tây Ninh
                hub: h53
              - code: "vxp.saas.03"
                name: SaaS test unit
                hub: h58
                parent: "000.00.00.H58"
            """, path: "test-directory.yaml")
    }

    func verifier(_ signatures: any DetachedSignatureVerifier = FastCMSVerifier()) -> DocumentVerifier {
        DocumentVerifier(directory: directory, trust: trust, signatures: signatures)
    }

    /// A signed record: headers as the relay receives them, and the value.
    func record(
        _ value: [UInt8] = Array("Công văn số 12/UBND-VP".utf8), by identity: SigningIdentity? = nil,
        from: String = "000.00.00.G22", to: [String] = ["000.00.00.H58", "000.00.32.H53"],
        contentType: String = "text/plain", kind: DocumentKind = .edoc, ref: String? = nil, id: String? = nil
    ) throws -> (headers: [(name: String, value: [UInt8]?)], value: [UInt8]) {
        let draft = DocumentDraft(
            id: id, kind: kind, from: from, to: to, ref: ref, contentType: contentType, created: now)
        let signed = try DocumentSigner.sign(value, draft: draft, identity: identity ?? g22)
        return (signed.headers.map { ($0.name, Optional($0.value)) }, value)
    }
}

extension Array where Element == (name: String, value: [UInt8]?) {
    /// The headers with `name` set to `value`.
    func replacing(_ name: String, with value: String) -> Self {
        let replacement: [UInt8]? = [UInt8](value.utf8)
        return map { header in header.name == name ? (name: header.name, value: replacement) : header }
    }
}
