import DocRelaySigning
import Foundation

/// One development PKI shared by the signing tests (RSA key generation is slow): a root CA,
/// agencies under it (RSA, ECDSA, through an intermediate), certificates expired, not yet
/// valid and revoked at `now`, and a CA nobody trusts.
struct TestPKI: Sendable {
    /// The verification time of the tests: every "valid" certificate is valid then.
    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
    static let year: TimeInterval = 365 * 86_400
    static let longAgo = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14

    let rootKey: PrivateKey
    let root: Certificate
    let agency: SigningIdentity
    let agencyEC: SigningIdentity
    let intermediate: Certificate
    let intermediateKey: PrivateKey
    let agencyBelowIntermediate: SigningIdentity
    let expired: SigningIdentity
    let notYetValid: SigningIdentity
    let revoked: SigningIdentity
    let strangerRoot: Certificate
    let stranger: SigningIdentity
    let crl: CertificateRevocationList

    static let shared: TestPKI = {
        do {
            return try TestPKI()
        } catch {
            fatalError("cannot build the test PKI: \(error)")
        }
    }()

    private init() throws {
        rootKey = try PrivateKey.generate(.rsa(bits: 2048))
        root = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Test Root", organization: "Cục Chứng thực số", key: rootKey,
            validFrom: Self.longAgo, validFor: 20 * Self.year)
        agency = try Self.leaf("000.00.00.G22", "Văn phòng Chính phủ", .rsa(bits: 2048), root, rootKey)
        agencyEC = try Self.leaf("000.00.00.H58", "UBND tỉnh Tiền Giang", .ecP256, root, rootKey)
        intermediateKey = try PrivateKey.generate(.rsa(bits: 2048))
        intermediate = try DevelopmentPKI.issue(
            commonName: "DocRelay Test Intermediate", organization: "Cục Chứng thực số", subjectKey: intermediateKey,
            issuer: root, issuerKey: rootKey, validFrom: Self.longAgo, validFor: 10 * Self.year, isCA: true)
        agencyBelowIntermediate = try Self.leaf(
            "000.00.32.H53", "UBND huyện", .rsa(bits: 2048), intermediate, intermediateKey,
            chain: [intermediate])
        expired = try Self.leaf(
            "000.00.00.G01", "Expired", .rsa(bits: 2048), root, rootKey,
            from: Date(timeIntervalSince1970: 1_600_000_000), years: 1)
        notYetValid = try Self.leaf(
            "000.00.00.G02", "Not yet", .rsa(bits: 2048), root, rootKey,
            from: Date(timeIntervalSince1970: 1_900_000_000), years: 1)
        revoked = try Self.leaf("000.00.00.G03", "Revoked", .rsa(bits: 2048), root, rootKey)
        let strangerKey = try PrivateKey.generate(.rsa(bits: 2048))
        strangerRoot = try DevelopmentPKI.makeCA(
            commonName: "Stranger Root", organization: "Nobody", key: strangerKey,
            validFrom: Self.longAgo, validFor: 20 * Self.year)
        stranger = try Self.leaf("000.00.00.G22", "Văn phòng Chính phủ", .rsa(bits: 2048), strangerRoot, strangerKey)
        crl = try DevelopmentPKI.revocationList(
            issuer: root, issuerKey: rootKey, revoked: [revoked.certificate],
            at: Self.now.addingTimeInterval(-86_400), validFor: 30 * 86_400)
    }

    static func leaf(
        _ commonName: String, _ organization: String, _ kind: PrivateKey.KeyKind,
        _ issuer: Certificate, _ issuerKey: PrivateKey, chain: [Certificate] = [],
        from: Date = longAgo, years: Double = 5
    ) throws -> SigningIdentity {
        let key = try PrivateKey.generate(kind)
        let certificate = try DevelopmentPKI.issue(
            commonName: commonName, organization: organization, subjectKey: key, issuer: issuer,
            issuerKey: issuerKey, validFrom: from, validFor: years * year)
        return try SigningIdentity(certificate: certificate, key: key, chain: chain)
    }

    /// Trusts the root (and knows the intermediate).
    func trust(crls: [CertificateRevocationList] = []) throws -> TrustStore {
        try TrustStore(anchors: [root], intermediates: [intermediate], crls: crls)
    }

    /// A signature base like the contract's.
    static func base(_ id: String = "doc-1", to: String = "000.00.00.H58") -> [UInt8] {
        Array("""
            docrelay-v1
            id:\(id)
            kind:edoc
            from:000.00.00.G22
            to:\(to)
            created:2026-05-28T10:00:00Z
            content-type:application/edxml+xml
            ref:
            sha256:\(String(repeating: "ab", count: 32))
            """.utf8)
    }
}
