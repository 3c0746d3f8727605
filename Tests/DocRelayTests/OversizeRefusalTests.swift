@testable import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Testing

/// Refusals decided before the value is read (issue 12, point 5): the sender is still
/// authenticated from its signed headers when they decode, so that it gets its negative ack;
/// a forged record gets none.
@Suite("Refused before the value is read: the sender authenticated from its headers")
struct OversizeRefusalTests {
    let fixture = VerificationFixture.shared
    static let g22 = "000.00.00.G22"

    /// A value of `size` bytes, signed by `identity` (G22's by default) as `from` to H58 and H53.
    private func record(
        size: Int, by identity: SigningIdentity? = nil, from: String = g22, id: String = "doc-large"
    ) throws -> (headers: [(name: String, value: [UInt8]?)], value: [UInt8]) {
        try fixture.record([UInt8](repeating: UInt8(ascii: "a"), count: size), by: identity, from: from, id: id)
    }

    private func rejection(
        _ record: (headers: [(name: String, value: [UInt8]?)], value: [UInt8]), limits: EnvelopeLimits
    ) throws -> Rejection {
        let verifier = DocumentVerifier(directory: fixture.directory, trust: fixture.trust, limits: limits)
        guard case .failure(let rejection) = verifier.verify(headers: record.headers, value: record.value) else {
            Issue.record("accepted")
            throw Refused()
        }
        return rejection
    }

    struct Refused: Error {}

    @Test("A value over its limit: oversize, the sender authentic when signed and bound; none for a bad signature, an untrusted or unbound certificate")
    func authenticOversize() throws {
        let refused = try rejection(try record(size: 3000), limits: EnvelopeLimits(maxValueBytes: 2048))
        #expect(refused.errorClass == .oversize)
        #expect(refused.reason == "expected a value of at most 2048 bytes, not 3000")
        #expect(refused.authenticSender?.rawValue == Self.g22)
        #expect(refused.signed?.id == "doc-large")
        #expect(refused.signed?.to == ["000.00.00.H58", "000.00.32.H53"])

        // Forged: the same refusal, and no sender to tell.
        let limits = EnvelopeLimits(maxValueBytes: 2048)
        var tampered = try record(size: 3000)
        tampered.headers = tampered.headers.replacing(HeaderName.to, with: "000.00.00.H58")
        let badSignature = try rejection(tampered, limits: limits)
        #expect(badSignature.errorClass == .oversize)
        #expect(badSignature.authenticSender == nil)
        #expect(badSignature.signed?.id == "doc-large", "the headers still name the document")

        // H58's valid certificate, claiming to be G22.
        let unbound = try rejection(try record(size: 3000, by: fixture.h58), limits: limits)
        #expect(unbound.errorClass == .oversize)
        #expect(unbound.authenticSender == nil)

        let untrusted = try rejection(try record(size: 3000, by: fixture.untrusted), limits: limits)
        #expect(untrusted.errorClass == .oversize)
        #expect(untrusted.authenticSender == nil)

        var badBase64 = try record(size: 3000)
        badBase64.headers = badBase64.headers.replacing(HeaderName.signature, with: "MIIBAAAA")
        #expect(try rejection(badBase64, limits: limits).authenticSender == nil)
    }

    @Test("Refusals before the value: too many recipients, an unknown header over its bound, headers over their total, a relay header malformed authenticate the sender; an id or a signed header over its bound cannot")
    func headerRefusalsAuthenticate() throws {
        let signed = try record(size: 100)
        let tooMany = try rejection(signed, limits: EnvelopeLimits(maxRecipients: 1))
        #expect(tooMany.errorClass == .oversize)
        #expect(tooMany.reason == "dr-to: expected at most 1 recipients, not 2")
        #expect(tooMany.authenticSender?.rawValue == Self.g22)

        let padded = (signed.headers + [(name: "x-pad", value: [UInt8](repeating: 0x41, count: 20_000))], signed.value)
        let largeHeader = try rejection(padded, limits: EnvelopeLimits())
        #expect(largeHeader.errorClass == .oversize)
        #expect(largeHeader.reason == "x-pad: expected a value of at most 16384 bytes, not 20000")
        #expect(largeHeader.authenticSender?.rawValue == Self.g22)

        let manyHeaders = signed.headers + (0..<5).map { (name: "x-pad-\($0)", value: Optional([UInt8](repeating: 0x41, count: 15_000))) }
        let total = try rejection((manyHeaders, signed.value), limits: EnvelopeLimits())
        #expect(total.errorClass == .oversize)
        #expect(total.reason.hasPrefix("expected headers of at most 65536 bytes in all"))
        #expect(total.authenticSender?.rawValue == Self.g22)

        let badAttempt = try rejection((signed.headers + [(name: HeaderName.attempt, value: Array("two".utf8))], signed.value), limits: EnvelopeLimits())
        #expect(badAttempt.errorClass == .malformed)
        #expect(badAttempt.reason.hasPrefix("dr-attempt: "))
        #expect(badAttempt.authenticSender?.rawValue == Self.g22)

        // Those that cannot: an id over its bound, a signed header over its bound.
        let longIDRecord = try record(size: 100, id: "a-document-id-of-40-bytes-0123456789abcd")
        let longID = try rejection(longIDRecord, limits: EnvelopeLimits(maxIdBytes: 32))
        #expect(longID.errorClass == .oversize)
        #expect(longID.authenticSender == nil, "an ack could not name it within the bound")
        #expect(longID.signed == nil)

        // dr-sha256 (64 bytes) over a 48-byte bound for every header.
        let bounded = try rejection(longIDRecord, limits: EnvelopeLimits(maxHeaderValueBytes: 48))
        #expect(bounded.errorClass == .oversize)
        #expect(bounded.authenticSender == nil)
    }

    @Test("The relay's policy on a record the verifier refused as oversize: dead letter with the value cut, a negative ack per recipient to the authentic sender")
    func policyNegativeAcks() throws {
        let limits = EnvelopeLimits(maxValueBytes: 2048)
        let signed = try record(size: 70_000, id: "doc-oversize")
        let record = KafkaRecord(
            topic: "docrelay.out.\(Self.g22)", partition: 0, offset: 12, key: Array("doc-oversize".utf8), value: signed.value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        let verifier = DocumentVerifier(directory: fixture.directory, trust: fixture.trust, limits: limits)
        let verdict = verifier.verify(headers: signed.headers, value: signed.value)
        let policy = RelayPolicy(
            hubID: "national", instance: "relay-1", topics: TopicNames(), tiers: RetryTier.defaults, maxAge: .seconds(86_400),
            limits: limits, maxHops: 16)
        guard case .refuse(let settlement) = policy.admit(record, verdict: verdict, directory: fixture.directory, now: fixture.now) else {
            Issue.record("not refused")
            return
        }
        #expect(settlement.writes.map(\.topic) == ["docrelay.dlq", "docrelay.events"])
        let deadLetter = settlement.writes[0]
        #expect(deadLetter.headers.string(named: HeaderName.errorClass) == "oversize")
        #expect(deadLetter.headers.string(named: HeaderName.valueSize) == "70000")
        #expect(deadLetter.value.count == 65_536)
        let reason = "oversize: expected a value of at most 2048 bytes, not 70000"
        #expect(settlement.negativeAcks.map { "\($0.outcome.rawValue) \($0.recipient) \($0.reason ?? "")" } == [
            "failed 000.00.00.H58 \(reason)", "failed 000.00.32.H53 \(reason)",
        ])
        #expect(settlement.negativeAcks.allSatisfy { $0.document.id == "doc-oversize" && $0.document.from == Self.g22 })
        let event = try #require(RelayEvent.decode(settlement.writes[1].value))
        #expect(event.id == "doc-oversize" && event.errorClass == "oversize")

        // Forged: the same refusal, no ack to anyone.
        let forged = try self.record(size: 70_000, by: fixture.h58, id: "doc-forged")
        let forgedRecord = KafkaRecord(
            topic: "docrelay.out.\(Self.g22)", partition: 0, offset: 13, key: nil, value: forged.value,
            headers: forged.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        let forgedVerdict = verifier.verify(headers: forged.headers, value: forged.value)
        guard case .refuse(let refused) = policy.admit(forgedRecord, verdict: forgedVerdict, directory: fixture.directory, now: fixture.now)
        else {
            Issue.record("not refused")
            return
        }
        #expect(refused.writes.first?.headers.string(named: HeaderName.errorClass) == "oversize")
        #expect(refused.negativeAcks.isEmpty)
    }
}
