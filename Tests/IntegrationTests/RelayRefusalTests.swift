import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: refusals, dead letters and negative acks", .serialized)
struct RelayRefusalTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"
    static let h53 = "000.00.00.H53"

    /// A record with `header` replaced.
    private func replacing(_ record: KafkaProducerRecord, _ name: String, with value: String) -> KafkaProducerRecord {
        var copy = record
        copy.headers = record.headers.map { $0.name == name ? KafkaHeader(name: name, string: value) : $0 }
        return copy
    }

    @Test("Each rejection case lands in the dead-letter topic with its class; an authentic sender gets a negative ack; good documents pass around them")
    func refusals() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58, Self.h53])
        // A certificate from a CA nobody trusts, and one that expired before its document was made.
        let strangerKey = try PrivateKey.generate(.ecP256)
        let strangerCA = try DevelopmentPKI.makeCA(
            commonName: "Stranger CA", organization: "Elsewhere", key: strangerKey, validFrom: Date().addingTimeInterval(-3600),
            validFor: 86_400)
        let untrustedKey = try PrivateKey.generate(.ecP256)
        let untrusted = try SigningIdentity(
            certificate: try DevelopmentPKI.issue(
                commonName: Self.g22, organization: "Forged", subjectKey: untrustedKey, issuer: strangerCA, issuerKey: strangerKey,
                validFrom: Date().addingTimeInterval(-3600), validFor: 86_400),
            key: untrustedKey, chain: [])
        let expired = try await runDocRelay([
            "pki", "issue", "--ca", harness.folder.path, "--code", Self.g22, "--out", harness.folder.appendingPathComponent("expired").path,
            "--valid-from", "2025-01-01T00:00:00Z", "--days", "1",
        ])
        try #require(expired.exitCode == 0, "\(expired.standardError)")
        let expiredIdentity = try SigningIdentity.load(
            certificateFile: harness.folder.appendingPathComponent("expired/\(Self.g22).pem").path,
            keyFile: harness.folder.appendingPathComponent("expired/\(Self.g22).key").path)

        let good = try harness.document(Array("good".utf8), from: Self.g22, to: [Self.h58], id: "good-1")
        var tamperedValue = try harness.document(Array("original".utf8), from: Self.g22, to: [Self.h58], id: "tampered-value")
        tamperedValue.value = Array("forged!!".utf8)
        let base = try harness.document(Array("headers".utf8), from: Self.g22, to: [Self.h58], id: "tampered-to")
        func signed(_ value: String, id: String, identity: SigningIdentity, from: String = Self.g22, to: [String] = [Self.h58]) throws -> KafkaProducerRecord {
            let headers = try DocumentSigner.sign(
                Array(value.utf8), draft: DocumentDraft(id: id, from: from, to: to, contentType: "text/plain"), identity: identity)
            return KafkaProducerRecord(topic: harness.topics.out(from), key: Array(id.utf8), value: Array(value.utf8),
                                       headers: headers.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
        let cases: [(record: KafkaProducerRecord, errorClass: String, negativeAck: Bool)] = [
            (tamperedValue, "signature", true),
            (replacing(base, HeaderName.to, with: Self.h53), "signature", false),
            (replacing(try harness.document(Array("x".utf8), from: Self.g22, to: [Self.h58], id: "tampered-kind"), HeaderName.id, with: "other-id"), "signature", false),
            (try signed("untrusted", id: "untrusted", identity: untrusted), "signature", false),
            (try signed("expired", id: "expired", identity: expiredIdentity), "signature", false),
            // G22's valid certificate used with from = H58, published on H58's topic.
            (try signed("impostor", id: "impostor", identity: try harness.identity(Self.g22), from: Self.h58, to: [Self.h53]), "sender", false),
            (try harness.document(Array("to nobody".utf8), from: Self.g22, to: [Self.h58, "000.00.00.H99"], id: "unknown-recipient"), "recipient", true),
            (replacing(try harness.document(Array("b".utf8), from: Self.g22, to: [Self.h58], id: "bad-base64"), HeaderName.signature, with: "%%%not-base64"), "signature", false),
            (replacing(try harness.document(Array("d".utf8), from: Self.g22, to: [Self.h58], id: "bad-der"), HeaderName.signature, with: "MIIBAAAA"), "signature", false),
            (try harness.document(Array("saas".utf8), from: Self.g22, to: ["vxp.saas.99"], id: "undeclared-code"), "recipient", true),
            (replacing(try harness.document(Array("m".utf8), from: Self.g22, to: [Self.h58], id: "no-created"), HeaderName.created, with: "yesterday"), "malformed", false),
        ]
        let edXMLURL = try #require(Bundle.module.url(forResource: "status-01-received", withExtension: "edxml", subdirectory: "Fixtures"))
        // A status from H41 (per its edXML) sent as G22 to H58: the edXML disagrees with the headers.
        let edXML = try harness.document(Array(try Data(contentsOf: edXMLURL)), from: Self.g22, to: [Self.h58], id: "edxml-mismatch")
        var edXMLRecord = edXML
        edXMLRecord.headers = edXML.headers  // signed as text/plain: re-sign as edXML below
        let edXMLSigned = try DocumentSigner.sign(
            edXML.value, draft: DocumentDraft(id: "edxml-mismatch", kind: .status, from: Self.g22, to: [Self.h58], ref: "x",
                                              contentType: "application/edxml+xml"), identity: try harness.identity(Self.g22))
        edXMLRecord.headers = edXMLSigned.headers.map { KafkaHeader(name: $0.name, value: $0.value) }
        let all = cases + [(edXMLRecord, "malformed", true)]

        let producer = try harness.producer()
        for item in all { try await producer.send(item.record) }
        try await producer.send(good)
        await producer.close()
        try await harness.startRelay()

        try await harness.waitUntil(harness.topics.deadLetters, holds: Int64(all.count))
        try await harness.waitUntil(harness.topics.inbox(Self.h58), holds: 1)
        let negativeAcks = all.filter(\.negativeAck).count
        // G22's inbox: one delivered ack for the good document, and the negative acks (two for
        // the document with an unknown recipient: one per recipient).
        try await harness.waitUntil(harness.topics.inbox(Self.g22), holds: Int64(1 + negativeAcks + 1))
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)

        let deadLetters = try await harness.read([harness.topics.deadLetters], count: all.count)
        #expect(deadLetters.count == all.count)
        let classes = Dictionary(deadLetters.map { ($0.stringKey, $0.header(HeaderName.errorClass) ?? "") }, uniquingKeysWith: { a, _ in a })
        for item in all {
            let id = item.record.headers.string(named: HeaderName.id) ?? ""
            let key = item.record.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
            #expect(classes[id] ?? classes[key] == item.errorClass, "\(id): \(classes[id] ?? classes[key] ?? "none")")
        }
        for letter in deadLetters {
            #expect(letter.header(HeaderName.error)?.isEmpty == false)
            #expect(letter.header(HeaderName.originTopic)?.hasPrefix("docrelay.out.") == true)
            #expect(letter.header(HeaderName.deadLetteredAt) != nil)
        }
        let inbox = try await harness.read([harness.topics.inbox(Self.g22)], count: 2 + negativeAcks)
        let acks = inbox.compactMap { AckMessage.decode($0.value) }
        #expect(acks.filter { $0.outcome == .delivered }.map(\.ref) == ["good-1"])
        let failedRefs = Set(acks.filter { $0.outcome == .failed }.map(\.ref))
        #expect(failedRefs == ["tampered-value", "unknown-recipient", "undeclared-code", "edxml-mismatch"])
        #expect(acks.filter { $0.outcome == .failed }.allSatisfy { $0.reason?.isEmpty == false })
        let delivered = try await harness.read([harness.topics.inbox(Self.h58)], count: 1)
        #expect(delivered.map(\.stringKey) == ["good-1"])
    }
}
