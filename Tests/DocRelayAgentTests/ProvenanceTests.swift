@testable import DocRelayAgent
import DocRelayCore
import Foundation
import Testing

/// Who has a say about a document this agency sent: its recipients (statuses) and the hubs
/// (acks), and nobody else (issue 11, point 6).
@Suite("Provenance of statuses and acks")
struct ProvenanceTests {
    static let agency = "000.00.00.G22"
    static let b = "000.00.00.G01"
    static let c = "000.00.00.G02"
    static let sent = Provenance.SentDocument(id: "qd-1", recipients: [b, "000.00.00.G03"])

    static func headers(_ kind: DocumentKind, from: String, to: [String] = [agency], ref: String = "qd-1") -> SignedHeaders {
        SignedHeaders(
            id: "rec-1", kind: kind, from: from, to: to, createdAt: Date(timeIntervalSince1970: 1_800_000_000),
            contentType: kind == .ack ? "application/json" : "application/edxml+xml", ref: ref, sha256: "00")
    }

    static func ack(ref: String = "qd-1", recipient: String = b) -> [UInt8] {
        AckMessage(ref: ref, recipient: recipient, outcome: .delivered, hub: "national", at: "2026-11-30T00:00:00Z").encoded()
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let signed: SignedHeaders
        var value: [UInt8] = []
        var sent: Provenance.SentDocument? = ProvenanceTests.sent
        /// nil: accepted; else what the reason must contain.
        let keptAsideBecause: String?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a status from a recipient is recorded", signed: headers(.status, from: b), keptAsideBecause: nil),
        Case(
            name: "a status from an agency the document was not sent to is kept aside", signed: headers(.status, from: c),
            keptAsideBecause: "a status from \(c), not a recipient of qd-1"),
        Case(
            name: "a status about a document this agency did not send is kept aside", signed: headers(.status, from: b, ref: "other"),
            sent: nil, keptAsideBecause: "a document this agency did not send"),
        Case(
            name: "a status with no dr-ref is kept aside", signed: headers(.status, from: b, ref: ""), sent: nil,
            keptAsideBecause: "a document this agency did not send"),
        Case(
            name: "an ack from a hub for a recipient of this agency's document is recorded", signed: headers(.ack, from: "hub:national"),
            value: ack(), keptAsideBecause: nil),
        Case(
            name: "an ack addressed to another agency is kept aside", signed: headers(.ack, from: "hub:national", to: [c]),
            value: ack(), keptAsideBecause: "addressed to \(c), not to \(agency)"),
        Case(
            name: "an ack addressed to this agency and another is kept aside",
            signed: headers(.ack, from: "hub:national", to: [agency, c]), value: ack(), keptAsideBecause: "not to \(agency)"),
        Case(
            name: "an ack signed by an agency, not a hub, is kept aside", signed: headers(.ack, from: c), value: ack(),
            keptAsideBecause: "signed by \(c), not by a hub"),
        Case(
            name: "an ack for an agency the document was not sent to is kept aside", signed: headers(.ack, from: "hub:national"),
            value: ack(recipient: c), keptAsideBecause: "for \(c), not a recipient of qd-1"),
        Case(
            name: "an ack about a document this agency did not send is kept aside",
            signed: headers(.ack, from: "hub:national", ref: "other"), value: ack(ref: "other"), sent: nil,
            keptAsideBecause: "a document this agency did not send"),
        Case(
            name: "an ack whose value is about another document than its dr-ref is kept aside",
            signed: headers(.ack, from: "hub:national"), value: ack(ref: "other"), keptAsideBecause: "\"other\" in its value"),
        Case(
            name: "an ack whose value is not an ack message is kept aside", signed: headers(.ack, from: "hub:national"),
            value: Array("{}".utf8), keptAsideBecause: "not an ack message"),
        Case(name: "a document is not this check's business", signed: headers(.edoc, from: c, ref: ""), sent: nil, keptAsideBecause: nil),
    ]

    @Test("The decision", arguments: cases)
    func decision(_ example: Case) {
        let verdict = Provenance.check(example.signed, value: example.value, agency: Self.agency, sent: example.sent)
        switch (verdict, example.keptAsideBecause) {
        case (.accepted, nil):
            break
        case (.keptAside(let reason), let expected?):
            #expect(reason.hasPrefix("provenance: "), "\(reason)")
            #expect(reason.contains(expected), "\(reason)")
        default:
            Issue.record("\(example.name): \(verdict)")
        }
    }

    @Test("What the store recorded of a sent document gives its recipients")
    func sentDocumentFromTheStore() {
        let record = OutgoingRecord(
            id: "qd-1", source: .http, fileName: nil, sha256: "00", headers: "[]", value: nil, kind: "edoc",
            recipients: "\(Self.b),000.00.00.G03", ref: "", state: .withdrawn, archived: true, createdAt: "2026-11-29T00:00:00Z",
            publishedAt: nil, topic: nil, partition: nil, offset: nil, attempts: 0, lastError: nil)
        #expect(Provenance.SentDocument(record) == Self.sent)
    }
}
