@testable import DocRelayAgent
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Testing

/// agency.yaml's keys for large documents (issue 13), and the tracker's decisions.
@Suite("Large documents: send.segment-pace, receive.segment-timeout, and the receiver's decisions per segment")
struct SegmentSettingsTests {
    static func parse(send: String = "{}", receive: String = "{ inbox: inbox }") throws -> AgentConfiguration {
        try AgentConfiguration.parse("""
            agency: 000.00.00.G22
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: g22.pem, key: g22.key }
            send: \(send)
            receive: \(receive)
            """, path: "/etc/docrelay/agency.yaml")
    }

    @Test("Defaults: unpaced, 10 minutes; both read when given")
    func defaults() throws {
        let plain = try Self.parse()
        #expect(plain.send?.segmentPace == 0)
        #expect(plain.receive?.segmentTimeout == .seconds(600))
        let set = try Self.parse(send: "{ segment-pace: 1048576 }", receive: "{ inbox: inbox, segment-timeout: 30s }")
        #expect(set.send?.segmentPace == 1_048_576)
        #expect(set.receive?.segmentTimeout == .seconds(30))
    }

    @Test("Bad values are refused, naming the file, the key and what is expected")
    func refused() {
        let pace = #expect(throws: ConfigurationError.self) { try Self.parse(send: "{ segment-pace: fast }") }
        #expect(pace?.description.contains("/etc/docrelay/agency.yaml") == true)
        #expect(pace?.description.contains("send.segment-pace") == true)
        #expect(pace?.description.contains("0 (unpaced) or from 65536 to 1073741824") == true)
        let slow = #expect(throws: ConfigurationError.self) { try Self.parse(send: "{ segment-pace: 100 }") }
        #expect(slow?.description.contains("not '100'") == true)
        let timeout = #expect(throws: ConfigurationError.self) { try Self.parse(receive: "{ inbox: inbox, segment-timeout: 1s }") }
        #expect(timeout?.description.contains("receive.segment-timeout") == true)
        #expect(timeout?.description.contains("not '1s'") == true)
    }

    // MARK: The tracker

    static let key = SegmentTracker.Key(topic: "docrelay.in.000.00.00.H58", partition: 0, from: "000.00.00.G22", id: "big")
    static let sha = String(repeating: "ab", count: 32)

    static func record(_ offset: Int64) -> KafkaRecord {
        KafkaRecord(topic: key.topic, partition: 0, offset: offset, key: nil, value: [1, 2, 3], headers: [])
    }

    static func part(_ index: Int) -> DocumentSegment { DocumentSegment(index: index, count: 3, documentSize: 9) }

    @Test("First, append, repeat, start over: held records kept (values dropped) until the document ends")
    func decisions() {
        var tracker = SegmentTracker()
        let now = ContinuousClock.now
        #expect(tracker.step(Self.key, segment: Self.part(0), sha256: Self.sha, record: Self.record(0), now: now, abortReason: "") == .first)
        tracker.begin(Self.key, sha256: Self.sha, segment: Self.part(0), record: Self.record(0), now: now, discarding: false)
        #expect(tracker.take(Self.key, bytes: [1, 2, 3]) == .partial)
        #expect(tracker.step(Self.key, segment: Self.part(1), sha256: Self.sha, record: Self.record(1), now: now, abortReason: "") == .append)
        #expect(tracker.take(Self.key, bytes: [4, 5, 6]) == .partial)
        #expect(tracker.step(Self.key, segment: Self.part(1), sha256: Self.sha, record: Self.record(2), now: now, abortReason: "") == .skip)
        #expect(tracker.step(Self.key, segment: Self.part(0), sha256: Self.sha, record: Self.record(3), now: now, abortReason: "") == .restart)
        tracker.begin(Self.key, sha256: Self.sha, segment: Self.part(0), record: Self.record(3), now: now, discarding: false)
        let partial = tracker.finish(Self.key)
        #expect(partial?.held.map(\.offset) == [0, 1, 2, 3])
        #expect(partial?.held.allSatisfy(\.value.isEmpty) == true)
        #expect(partial?.assembly.next == 0)
    }

    @Test("A segment of none in progress is an orphan; an abort marker gives the reason; a skipped index is refused")
    func endings() {
        var tracker = SegmentTracker()
        let now = ContinuousClock.now
        #expect(tracker.step(Self.key, segment: Self.part(2), sha256: Self.sha, record: Self.record(0), now: now, abortReason: "") == .orphan)
        tracker.begin(Self.key, sha256: Self.sha, segment: Self.part(0), record: Self.record(1), now: now, discarding: false)
        _ = tracker.take(Self.key, bytes: [1, 2, 3])
        guard case .refuse(.malformed, let reason) = tracker.step(
            Self.key, segment: Self.part(2), sha256: Self.sha, record: Self.record(2), now: now, abortReason: "")
        else {
            Issue.record("a missing segment was not refused")
            return
        }
        #expect(reason.contains("segment 2 of 3 is missing"))
        let abort = DocumentSegment(abortOf: 3, documentSize: 9)
        #expect(tracker.step(Self.key, segment: abort, sha256: Self.sha, record: Self.record(3), now: now, abortReason: "signature: x") == .abort("signature: x"))
        #expect(tracker.finish(Self.key)?.held.map(\.offset) == [1, 2, 3])
    }

    @Test("Stale: only documents untouched for the whole timeout")
    func stale() {
        var tracker = SegmentTracker()
        let start = ContinuousClock.now
        tracker.begin(Self.key, sha256: Self.sha, segment: Self.part(0), record: Self.record(0), now: start, discarding: false)
        #expect(tracker.stale(at: start.advanced(by: .seconds(599)), timeout: .seconds(600)).isEmpty)
        #expect(tracker.stale(at: start.advanced(by: .seconds(600)), timeout: .seconds(600)) == [Self.key])
    }
}

@Suite("The agent's upload budget (issue 13): documents posted at once wait rather than each hold max-document-bytes")
struct UploadBudgetTests {
    @Test("An upload reserves its Content-Length, else the limit, never more than the limit")
    func reservation() {
        #expect(DocumentOutbox.uploadReservation(contentLength: "3145728", limit: 67_108_864) == 3_145_728)
        #expect(DocumentOutbox.uploadReservation(contentLength: nil, limit: 67_108_864) == 67_108_864)
        #expect(DocumentOutbox.uploadReservation(contentLength: "999999999", limit: 67_108_864) == 67_108_864)
        #expect(DocumentOutbox.uploadReservation(contentLength: "chunked", limit: 1_048_576) == 1_048_576)
    }
}
