import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 11, point 2, through the real relay over TCP: `dr-created` is judged against the hub's
/// clock at first acceptance, and the hub's signed acceptance travels with the record.
@Suite("Trusted time through the real relay")
struct TrustedTimeRelayTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"

    /// G22's second certificate, valid only from 2023-12-01 for 60 days (expired in January
    /// 2024), from a second CA valid since 2020 (as real government CAs are), which hub.yaml's
    /// anchor bundle gains; the certificate is bound to G22 in the harness's directory.
    static func expiredIdentity(_ harness: RelayHarness) throws -> SigningIdentity {
        let since2020 = try #require(RFC3339.parse("2020-01-01T00:00:00Z"))
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(
            commonName: "Long-lived CA", organization: "DocRelay tests", key: caKey, validFrom: since2020,
            validFor: 20 * 365 * 86_400)
        let key = try PrivateKey.generate(.ecP256)
        let certificate = try DevelopmentPKI.issue(
            commonName: g22, organization: "Văn phòng Chính phủ", subjectKey: key, issuer: ca, issuerKey: caKey,
            validFrom: try #require(RFC3339.parse("2023-12-01T00:00:00Z")), validFor: 60 * 86_400)
        let bundle = harness.folder.appendingPathComponent("ca.pem")
        let pem = "-----BEGIN CERTIFICATE-----\n"
            + Data(ca.der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END CERTIFICATE-----\n"
        try Data((try String(contentsOf: bundle, encoding: .utf8) + pem).utf8).write(to: bundle)
        let directory = harness.folder.appendingPathComponent("directory.yaml")
        var text = try String(contentsOf: directory, encoding: .utf8)
        let entry = "  - code: \"\(g22)\"\n    name: \"\(g22)\"\n    hub: \"national\"\n    certificates:\n"
        #expect(text.contains(entry))
        text = text.replacingOccurrences(of: entry, with: entry + "      - sha256: \"\(certificate.sha256Fingerprint)\"\n")
        try Data(text.utf8).write(to: directory)
        return try SigningIdentity(certificate: certificate, key: key, chain: [])
    }

    static func record(
        _ text: String, by identity: SigningIdentity, created: Date, harness: RelayHarness
    ) throws -> KafkaProducerRecord {
        let value = Array(text.utf8)
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(from: g22, to: [h58], contentType: "text/plain", created: created), identity: identity)
        return KafkaProducerRecord(
            topic: harness.topics.out(g22), key: Array(signed.id.utf8), value: value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    @Test("Back-dated with an expired certificate, or dated days ahead: dead-lettered signature, the sender told; a current document carries the hub's signed acceptance to the recipient")
    func judgedAtFirstAcceptance() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58])
        let expired = try Self.expiredIdentity(harness)
        let current = try harness.identity(Self.g22)
        let backDated = try Self.record(
            "Back-dated", by: expired, created: try #require(RFC3339.parse("2024-01-15T08:00:00Z")), harness: harness)
        let ahead = try Self.record("Three days ahead", by: current, created: Date().addingTimeInterval(3 * 86_400), harness: harness)
        let fine = try Self.record("Current", by: current, created: Date(), harness: harness)
        try await harness.startRelay()
        let producer = try harness.producer()
        for record in [backDated, ahead, fine] { _ = try await producer.send(record) }
        await producer.close()

        // Two dead letters, three acks to G22 (two negative), one delivery to H58.
        let all = try await harness.read(
            [harness.topics.deadLetters, harness.topics.inbox(Self.g22), harness.topics.inbox(Self.h58)], count: 6)
        let dead = all.filter { $0.topic == harness.topics.deadLetters }
        #expect(dead.count == 2)
        let reasons = Dictionary(uniqueKeysWithValues: dead.map { ($0.stringKey, $0.header(HeaderName.error) ?? "") })
        #expect(dead.allSatisfy { $0.header(HeaderName.errorClass) == "signature" })
        let backDatedReason = reasons[String(decoding: backDated.key ?? [], as: UTF8.self)] ?? ""
        #expect(backDatedReason.contains("old at its first acceptance") && backDatedReason.contains("acceptance.max-age"), "\(backDatedReason)")
        let aheadReason = reasons[String(decoding: ahead.key ?? [], as: UTF8.self)] ?? ""
        #expect(aheadReason.contains("ahead of this hub's clock") && aheadReason.contains("acceptance.max-skew"), "\(aheadReason)")

        // G22 hears of both refusals, and of the delivery; H58 gets only the current document.
        let acks = all.filter { $0.topic == harness.topics.inbox(Self.g22) }
        let outcomes = acks.compactMap { AckMessage.decode($0.value)?.outcome }
        #expect(outcomes.filter { $0 == .failed }.count == 2, "\(outcomes)")
        #expect(outcomes.filter { $0 == .delivered }.count == 1, "\(outcomes)")
        let delivered = all.filter { $0.topic == harness.topics.inbox(Self.h58) }
        #expect(delivered.map(\.value) == [fine.value])

        // The delivered copy carries national's acceptance, which the recipient can verify.
        let record = try #require(delivered.first)
        #expect(record.header(HeaderName.accepted)?.hasPrefix("national/") == true)
        let directory = try Directory.load(contentsOf: harness.folder.appendingPathComponent("directory.yaml").path)
        let trust = try TrustStore(anchors: try Certificate.load(pemFile: harness.folder.appendingPathComponent("ca.pem").path))
        #expect(try TrustStore(anchors: trust.anchors).anchors.count == 2)
        let verified = try DocumentVerifier(directory: directory, trust: trust).verify(
            headers: record.headers.map { (name: $0.name, value: $0.value) }, value: record.value).get()
        guard case .attested(hubID: "national", _) = verified.acceptance else {
            Issue.record("the delivered record's acceptance: \(verified.acceptance), \(String(describing: verified.ignoredAcceptance))")
            return
        }
        _ = try await harness.stopRelay()
    }

    /// hub.yaml's trust gains `crls: [crl.pem]`; `crl.pem` holds a CRL of the harness's CA,
    /// issued `issued` (its thisUpdate), revoking `revoked`.
    static func writeCRL(_ harness: RelayHarness, revoking revoked: [Certificate], issued: Date) throws {
        let ca = try #require(try Certificate.load(pemFile: harness.folder.appendingPathComponent("ca.pem").path).first)
        let caKey = try PrivateKey.load(pemFile: harness.folder.appendingPathComponent("ca.key").path)
        let crl = try DevelopmentPKI.revocationList(
            issuer: ca, issuerKey: caKey, revoked: revoked, at: issued)
        try Data(crl.pem.utf8).write(to: harness.folder.appendingPathComponent("crl.pem"))
        var yaml = try String(contentsOfFile: harness.configPath, encoding: .utf8)
        if !yaml.contains("crls:") {
            yaml = yaml.replacingOccurrences(of: "  anchors: [ca.pem]\n", with: "  anchors: [ca.pem]\n  crls: [crl.pem]\n")
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: harness.configPath))
        }
    }

    @Test("A retried and a replayed record keep their verdict across a CRL that revokes their signer since; a new record from that signer is refused")
    func verdictKeptAcrossCRLReload() async throws {
        let h41 = "000.00.00.H41"
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58, h41], withoutInbox: [h41], tiers: ["1s", "2s"])
        try Self.writeCRL(harness, revoking: [], issued: Date().addingTimeInterval(-60))
        let g22 = try harness.identity(Self.g22)
        let forReplay = try harness.document(Array("Replayed after the CRL".utf8), from: Self.g22, to: [h41], id: "for-replay")
        let forRetry = try harness.document(Array("Retried after the CRL".utf8), from: Self.g22, to: [h41], id: "for-retry")
        try await harness.startRelay()
        let producer = try harness.producer()
        for record in [forReplay, forRetry] { _ = try await producer.send(record) }

        // H41 has no inbox: both go through the tiers and are dead-lettered exhausted, each
        // copy carrying national's acceptance.
        let exhausted = try await harness.read([harness.topics.deadLetters], count: 2)
        #expect(exhausted.map { $0.header(HeaderName.errorClass) } == ["exhausted", "exhausted"])
        #expect(exhausted.allSatisfy { $0.header(HeaderName.accepted)?.hasPrefix("national/") == true })
        let retried = try await harness.read(["docrelay.retry.1s"], count: 2)
        let retryCopy = try #require(retried.first { $0.stringKey == "for-retry" })
        #expect(retryCopy.header(HeaderName.accepted) != nil)
        _ = try await harness.stopRelay()

        // G22's key is revoked now, by a CRL issued after both were accepted; the relay starts
        // again with that CRL, and H41 has an inbox.
        try Self.writeCRL(harness, revoking: [g22.certificate], issued: Date())
        try harness.cluster.createTopic(harness.topics.inbox(h41), partitions: 3)
        try await harness.startRelay()
        let replay = try await runDocRelay(["dlq", "replay", "--config", harness.configPath, "for-replay"])
        #expect(replay.exitCode == 0, "\(replay.standardError)")
        _ = try await producer.send(KafkaProducerRecord(
            topic: "docrelay.retry.1s", key: retryCopy.key, value: retryCopy.value, headers: retryCopy.headers))
        let fresh = try harness.document(Array("Signed with a revoked key".utf8), from: Self.g22, to: [Self.h58], id: "fresh")
        _ = try await producer.send(fresh)
        await producer.close()

        let inbox = try await harness.read([harness.topics.inbox(h41)], count: 2)
        #expect(inbox.map(\.stringKey).sorted() == ["for-replay", "for-retry"])
        try await harness.waitUntil(harness.topics.deadLetters, holds: 3)
        let dead = try await harness.read([harness.topics.deadLetters], count: 3)
        let refused = try #require(dead.first { $0.stringKey == "fresh" })
        #expect(refused.header(HeaderName.errorClass) == "signature")
        #expect(refused.header(HeaderName.error)?.contains("revoked") == true, "\(refused.header(HeaderName.error) ?? "")")
        #expect(dead.count == 3, "no other dead letter: \(dead.map { "\($0.stringKey) \($0.header(HeaderName.error) ?? "")" })")
        _ = try await harness.stopRelay()
    }
}
