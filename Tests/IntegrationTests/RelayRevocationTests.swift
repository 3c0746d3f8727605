import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 11, point 3, with the real binary: a CRL replaced while the relay runs is taken on
/// SIGHUP, and the next document of the sender it revokes is dead-lettered `signature` with the
/// revocation named; a CRL from the future is refused at start, naming the file and key.
@Suite("docrelay relay: CRLs reloaded on SIGHUP, revocations named, a CRL from the future refused", .serialized)
struct RelayRevocationTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"

    /// The development CA of `pki init` in `folder` writes its CRL to `ca.crl` there.
    private func writeCRL(in folder: URL, revoking revoked: [Certificate], at: Date = Date().addingTimeInterval(-3600)) throws {
        let ca = try #require(try Certificate.load(pemFile: folder.appendingPathComponent("ca.pem").path).first)
        let key = try PrivateKey.load(pemFile: folder.appendingPathComponent("ca.key").path)
        let crl = try DevelopmentPKI.revocationList(
            issuer: ca, issuerKey: key, revocations: revoked.map { .init($0, reason: .keyCompromise) }, at: at)
        try Data(crl.pem.utf8).write(to: folder.appendingPathComponent("ca.crl"))
    }

    @Test("A CRL replaced and SIGHUP sent: the sender it revokes is dead-lettered 'signature' with its serial, reason and the CRL's issuer")
    func sighupTakesANewCRL() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58], crls: ["ca.crl"])
        try writeCRL(in: harness.folder, revoking: [])
        try await harness.startRelay(logLevel: "info")
        let relay = try #require(harness.relay)
        let producer = try harness.producer()

        try await producer.send(try harness.document(Array("before".utf8), from: Self.g22, to: [Self.h58], id: "before-revocation"))
        try await harness.waitUntil(harness.topics.inbox(Self.h58), holds: 1)
        #expect(!relay.standardError.contains("revocation is not checked"), "\(relay.standardError)")

        let certificate = try harness.identity(Self.g22).certificate
        try writeCRL(in: harness.folder, revoking: [certificate])
        relay.signal(SIGHUP)
        try await waitFor("Trust reloaded", in: relay)

        try await producer.send(try harness.document(Array("after".utf8), from: Self.g22, to: [Self.h58], id: "after-revocation"))
        await producer.close()
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0, "\(stopped?.standardError ?? "")")

        let letter = try #require(try await harness.read([harness.topics.deadLetters], count: 1).first)
        #expect(letter.stringKey == "after-revocation")
        #expect(letter.header(HeaderName.errorClass) == "signature")
        let reason = letter.header(HeaderName.error) ?? ""
        let ca = try #require(try Certificate.load(pemFile: harness.folder.appendingPathComponent("ca.pem").path).first)
        #expect(reason.contains("certificate revoked: \(certificate.subject) serial 0x\(certificate.serialNumberHex.uppercased()) revoked at "),
                "\(reason)")
        #expect(reason.contains("(keyCompromise) by the CRL of \(ca.subject)"), "\(reason)")
        let delivered = try await harness.read([harness.topics.inbox(Self.h58)], count: 1)
        #expect(delivered.map(\.stringKey) == ["before-revocation"])
    }

    @Test("Without CRLs the relay warns that revocation is not checked, and /healthz says so (still ok); an expired CRL makes it degraded; a CRL from the future is refused at start (exit 2, file and key named)")
    func startUpChecks() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58], adminListen: "127.0.0.1:0")
        try await harness.startRelay(logLevel: "info")
        let relay = try #require(harness.relay)
        try await waitFor("trust.crls is empty: revocation is not checked", in: relay)
        let plain = try await health(of: relay) { $0.contains("\"phase\":\"running\"") }
        #expect(plain.contains("\"revocation\":\"not checked: trust.crls is empty\""), "\(plain)")
        #expect(plain.contains("\"status\":\"ok\""), "\(plain)")
        _ = try await harness.stopRelay()

        let expired = try await RelayHarness(agencies: [Self.g22, Self.h58], adminListen: "127.0.0.1:0", crls: ["ca.crl"])
        try writeCRL(in: expired.folder, revoking: [], at: Date().addingTimeInterval(-10 * 86_400))
        try await expired.startRelay(logLevel: "info")
        let expiredRelay = try #require(expired.relay)
        try await waitFor("A CRL is past its nextUpdate", in: expiredRelay)
        let degraded = try await health(of: expiredRelay) { $0.contains("\"phase\":\"running\"") }
        #expect(degraded.contains("\"status\":\"degraded\""), "\(degraded)")
        #expect(degraded.contains("(nextUpdate): its revocations still apply"), "\(degraded)")
        #expect(degraded.contains("\"revocation\":\"checked against 1 CRL; the earliest nextUpdate "), "\(degraded)")
        _ = try await expired.stopRelay()

        let withCRL = try await RelayHarness(agencies: [Self.g22], crls: ["ca.crl"])
        try writeCRL(in: withCRL.folder, revoking: [], at: Date().addingTimeInterval(86_400))
        let result = try await runDocRelay(["relay", "--config", withCRL.configPath, "--check-config"])
        #expect(result.exitCode == 2, "\(result.standardError)")
        let crl = withCRL.folder.appendingPathComponent("ca.crl").path
        #expect(result.standardError.contains("\(withCRL.configPath): key 'trust.crls': expected CRLs already issued"), "\(result.standardError)")
        #expect(result.standardError.contains(crl), "\(result.standardError)")
    }

    /// The body of the relay's `/healthz` once `done` holds (up to 30 s; the last body otherwise).
    private func health(of relay: ChildProcess, until done: (String) -> Bool) async throws -> String {
        try await waitFor("Admin server listening", in: relay)
        let address = try #require(relay.standardError.split(separator: "\n")
            .first { $0.contains("Admin server listening") }?
            .split(separator: " ").first { $0.hasPrefix("docrelay.admin.address=") }?
            .dropFirst("docrelay.admin.address=".count))
        let url = try #require(URL(string: "http://\(address)/healthz"))
        var body = ""
        for _ in 0..<120 {
            if let (data, _) = try? await URLSession.shared.data(from: url) {
                body = String(decoding: data, as: UTF8.self)
                if done(body) { return body }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return body
    }

    /// Waits (up to 30 s) until the relay's log says `text`.
    private func waitFor(_ text: String, in relay: ChildProcess) async throws {
        for _ in 0..<300 {
            if relay.standardError.contains(text) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("the relay did not log '\(text)': \(relay.standardError)")
    }
}
