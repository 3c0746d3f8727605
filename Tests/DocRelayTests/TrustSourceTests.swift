import DocRelayCore
import DocRelayDaemon
import DocRelaySigning
import Foundation
import Testing

/// A development CA and an agency in a temporary folder, with `ca.pem` and a `ca.crl` the test
/// rewrites, as an operator replaces the CA's CRL file.
final class TrustFiles: @unchecked Sendable {
    let folder: URL
    let caKey: PrivateKey
    let ca: Certificate
    let agency: SigningIdentity
    let other: SigningIdentity
    var anchors: String { folder.appendingPathComponent("ca.pem").path }
    var crl: String { folder.appendingPathComponent("ca.crl").path }
    let configurationPath = "/etc/docrelay/hub.yaml"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-trust-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        caKey = try PrivateKey.generate(.ecP256)
        let start = Date().addingTimeInterval(-30 * 86_400)
        ca = try DevelopmentPKI.makeCA(
            commonName: "Trust Test CA", organization: "DocRelay tests", key: caKey, validFrom: start, validFor: 3 * 365 * 86_400)
        let (ca, caKey) = (ca, caKey)
        func identity(_ code: String) throws -> SigningIdentity {
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: code, organization: "Agency \(code)", subjectKey: key, issuer: ca, issuerKey: caKey,
                validFrom: start, validFor: 365 * 86_400)
            return try SigningIdentity(certificate: certificate, key: key)
        }
        agency = try identity("000.00.00.G22")
        other = try identity("000.00.00.H58")
        try Data(ca.pem.utf8).write(to: URL(fileURLWithPath: anchors))
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    var files: TrustSource.Files {
        TrustSource.Files(anchors: [anchors], crls: [crl], configurationPath: configurationPath)
    }

    /// Writes `ca.crl`: the CA's CRL issued at `at`, valid `validFor`, listing `revoked`.
    func writeCRL(
        revoking revoked: [SigningIdentity] = [], at: Date = Date().addingTimeInterval(-3600), validFor: TimeInterval = 7 * 86_400
    ) throws {
        let list = try DevelopmentPKI.revocationList(
            issuer: ca, issuerKey: caKey,
            revocations: revoked.map { DevelopmentPKI.Revocation($0.certificate, reason: .keyCompromise) }, at: at,
            validFor: validFor)
        try Data(list.pem.utf8).write(to: URL(fileURLWithPath: crl))
    }

    /// The verdict of `identity`'s signature checked with `trust` now: nil when it verifies.
    func refusal(of identity: SigningIdentity, with trust: TrustStore) throws -> SigningError? {
        let content = Array("docrelay-v1\nid:trust-test".utf8)
        let signature = try CMSSigner.signDetached(content, identity: identity)
        do {
            _ = try FastCMSVerifier().verify(signature: signature, content: content, trust: trust, at: Date())
            return nil
        } catch {
            return error
        }
    }
}

@Suite("TrustSource: the trust files loaded, judged at now, reloaded whole; a bad reload keeps the old trust")
struct TrustSourceTests {
    @Test("A CRL not yet valid now is refused at load: the configuration file, trust.crls, the CRL's issuer and file")
    func aCRLFromTheFutureIsRefused() throws {
        let files = try TrustFiles()
        try files.writeCRL(at: Date().addingTimeInterval(3600))
        do {
            _ = try TrustSource(files: files.files)
            Issue.record("a CRL issued in an hour was loaded")
        } catch {
            #expect(error.path == files.configurationPath)
            #expect(error.key == "trust.crls")
            #expect(error.expected.contains("not the CRL of \(files.ca.subject) in \(files.crl)"), "\(error)")
            #expect(error.expected.contains("is after now"), "\(error)")
            #expect(error.expected.contains("by more than 5 min"), "\(error)")
        }
        // Within the clock skew allowed, it loads.
        try files.writeCRL(at: Date().addingTimeInterval(240))
        #expect(try TrustSource(files: files.files).current.crls.count == 1)
    }

    @Test("An expired CRL is loaded and used, and reported: warning naming its issuer, file and nextUpdate")
    func anExpiredCRLIsUsedAndReported() throws {
        let files = try TrustFiles()
        try files.writeCRL(revoking: [files.other], at: Date().addingTimeInterval(-10 * 86_400), validFor: 7 * 86_400)
        let source = try TrustSource(files: files.files)
        #expect(try files.refusal(of: files.agency, with: source.current) == nil)
        #expect(try files.refusal(of: files.other, with: source.current)?.reason == .certificateRevoked)
        let status = source.status()
        #expect(status.crls.map(\.state) == [.expired])
        #expect(status.crls.first?.file == files.crl)
        let nextUpdate = try #require(status.earliestNextUpdate)
        #expect(status.warnings.count == 1)
        let warning = try #require(status.warnings.first)
        #expect(warning.contains("the CRL of \(files.ca.subject) (\(files.crl)) expired at \(RFC3339.format(nextUpdate))"), "\(warning)")
        #expect(status.revocation == "checked against 1 CRL; the earliest nextUpdate \(RFC3339.format(nextUpdate))")
    }

    @Test("Without CRLs: nothing to warn about, and the revocation detail says it is not checked")
    func noCRL() throws {
        let files = try TrustFiles()
        let source = try TrustSource(files: TrustSource.Files(anchors: [files.anchors], configurationPath: files.configurationPath))
        let status = source.status()
        #expect(!status.checksRevocation)
        #expect(status.revocation == "not checked: trust.crls is empty")
        #expect(status.warnings.isEmpty)
        #expect(status.earliestNextUpdate == nil)
    }

    @Test("Reloaded after the CRL file changes: a signer that verified is revoked; a snapshot taken before is unchanged")
    func reloadRevokes() throws {
        let files = try TrustFiles()
        try files.writeCRL()
        let source = try TrustSource(files: files.files)
        let before = source.current
        #expect(try files.refusal(of: files.agency, with: before) == nil)

        try files.writeCRL(revoking: [files.agency])
        #expect(try files.refusal(of: files.agency, with: source.current) == nil, "not read again before a reload")
        let reloaded = try source.reload()
        #expect(reloaded === source.current)
        #expect(reloaded.generation != before.generation)
        let refusal = try #require(try files.refusal(of: files.agency, with: source.current))
        #expect(refusal.reason == .certificateRevoked)
        #expect(refusal.message.contains("(keyCompromise) by the CRL of \(files.ca.subject)"), "\(refusal)")
        #expect(try files.refusal(of: files.other, with: source.current) == nil)
        #expect(try files.refusal(of: files.agency, with: before) == nil, "work in flight keeps its snapshot")
    }

    @Test("A broken CRL file on reload: the old trust stays, the failure is reported (file named) until a reload succeeds")
    func aBrokenReloadKeepsTheOldTrust() throws {
        let files = try TrustFiles()
        try files.writeCRL(revoking: [files.other])
        let source = try TrustSource(files: files.files)
        let loaded = source.current

        try Data("-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n".utf8).write(to: URL(fileURLWithPath: files.crl))
        do {
            try source.reload()
            Issue.record("a broken CRL was loaded")
        } catch {
            #expect(error.key == "trust.crls")
            #expect(error.expected.contains(files.crl), "\(error)")
        }
        #expect(source.current === loaded)
        #expect(try files.refusal(of: files.other, with: source.current)?.reason == .certificateRevoked)
        let failed = source.status()
        let failure = try #require(failed.reloadFailure)
        #expect(failure.reason.contains("\(files.configurationPath): key 'trust.crls'"), "\(failure.reason)")
        let warning = try #require(failed.warnings.first)
        #expect(warning.hasPrefix("trust reload failed at "), "\(warning)")
        #expect(warning.contains(files.crl) && warning.contains("stays in force"), "\(warning)")

        // A CRL issued in the future is refused on reload too, for the same reason as at load.
        try files.writeCRL(at: Date().addingTimeInterval(86_400))
        #expect(throws: ConfigurationError.self) { try source.reload() }
        #expect(source.current === loaded)

        try files.writeCRL()
        try source.reload()
        #expect(source.status().reloadFailure == nil)
        #expect(source.status().warnings.isEmpty)
        #expect(try files.refusal(of: files.other, with: source.current) == nil)
    }

    @Test("An unreadable anchors file names trust.anchors and the file")
    func unreadableAnchors() throws {
        let files = try TrustFiles()
        let missing = files.folder.appendingPathComponent("missing.pem").path
        #expect {
            try TrustSource(files: TrustSource.Files(anchors: [missing], configurationPath: files.configurationPath))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == "trust.anchors" && error.expected.contains(missing)
        }
    }
}
