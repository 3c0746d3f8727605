import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation
import Testing

@Suite("A large document's segments: verified as they come, assembled, each fault refused with its reason")
struct SegmentAssemblyTests {
    let fixture = VerificationFixture.shared

    /// A signed 2.5 MB document cut into 512 KiB segments: (headers, bytes) per segment.
    private func segments(_ value: [UInt8], contentType: String = "application/pdf") throws -> [(headers: [(name: String, value: [UInt8]?)], value: [UInt8], segment: DocumentSegment)] {
        let draft = DocumentDraft(
            kind: .edoc, from: "000.00.00.G22", to: ["000.00.00.H58"], contentType: contentType, created: fixture.now)
        let signed = try DocumentSigner.sign(value, draft: draft, identity: fixture.g22)
        let records = DocumentRecords(signed: signed, size: value.count, segmentation: DocumentSegmentation())
        return records.records.map { record in
            (record.headers.map { ($0.name, Optional($0.value)) }, Array(value[record.range]), record.segment!)
        }
    }

    private static let value: [UInt8] = (0..<2_600_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    /// Feeds the parts in order and returns the last outcome and how many were written on.
    private func assemble(_ parts: [(headers: [(name: String, value: [UInt8]?)], value: [UInt8], segment: DocumentSegment)]) -> (SegmentAssembly.Progress?, SegmentAssembly.Step?, Int) {
        var assembly: SegmentAssembly?
        var written = 0
        for part in parts {
            let sha = String(decoding: part.headers.first { $0.name == HeaderName.sha256 }!.value!, as: UTF8.self)
            if assembly == nil || part.segment.isFirst {
                assembly = SegmentAssembly(sha256: sha, first: part.segment)
            } else {
                let step = assembly!.step(part.segment, sha256: sha)
                switch step {
                case .expected: break
                case .repeated: continue
                case .restart: assembly = SegmentAssembly(sha256: sha, first: part.segment)
                case .refuse: return (nil, step, written)
                }
            }
            written += 1
            let progress = assembly!.take(part.value)
            if case .refuse = progress { return (progress, nil, written) }
            if progress == .complete { return (progress, nil, written) }
        }
        return (.partial, nil, written)
    }

    @Test("Every segment verifies as a segment; a reader of whole documents refuses one, naming dr-segment")
    func verifiesAsSegments() throws {
        let parts = try segments(Self.value)
        #expect(parts.count == 5)
        for part in parts {
            let document = try fixture.verifier().verify(headers: part.headers, value: part.value, segments: true).get()
            #expect(document.envelope.relay.segment == part.segment)
        }
        guard case .failure(let refused) = fixture.verifier().verify(headers: parts[1].headers, value: parts[1].value) else {
            Issue.record("a whole-document reader accepted a segment")
            return
        }
        #expect(refused.errorClass == .malformed)
        #expect(refused.reason.contains("dr-segment: segment 2 of 5"))
        #expect(refused.authenticSender != nil)
    }

    @Test("In order: complete, the bytes hashed once each")
    func complete() throws {
        let (progress, _, written) = assemble(try segments(Self.value))
        #expect(progress == .complete)
        #expect(written == 5)
    }

    @Test("A repeated segment is skipped; a start over (segment 1 again) begins again and completes")
    func repeatedAndRestarted() throws {
        let parts = try segments(Self.value)
        #expect(assemble([parts[0], parts[1], parts[1], parts[2], parts[3], parts[4]]).0 == .complete)
        #expect(assemble([parts[0], parts[1], parts[0], parts[1], parts[2], parts[3], parts[4]]).0 == .complete)
    }

    @Test("A tampered segment: signature, naming the segments' digest against the signed one")
    func tampered() throws {
        var parts = try segments(Self.value)
        parts[2].value[100] ^= 0xFF
        guard case .refuse(let errorClass, let reason)? = assemble(parts).0 else {
            Issue.record("not refused")
            return
        }
        #expect(errorClass == .signature)
        #expect(reason.hasPrefix("dr-sha256: the SHA-256 of the 5 segments (2600000 bytes) is"))
    }

    @Test("A missing or reordered segment: malformed, naming the one missing and the one that came")
    func missing() throws {
        let parts = try segments(Self.value)
        for (order, missing, came) in [([0, 1, 3, 4], 3, 4), ([0, 2, 1, 3, 4], 2, 3)] {
            let (_, step, written) = assemble(order.map { parts[$0] })
            guard case .refuse(let errorClass, let reason)? = step else {
                Issue.record("not refused: \(order)")
                continue
            }
            #expect(errorClass == .malformed)
            #expect(reason.hasPrefix("segment \(missing) of 5 is missing: segment \(came) of 5 came after segment \(missing - 1) of 5"))
            #expect(written == missing - 1)
        }
    }

    @Test("Segments that hold more or fewer bytes than dr-size are malformed")
    func sizeMismatch() throws {
        var parts = try segments(Self.value)
        parts[4].value += [0]
        guard case .refuse(let errorClass, let reason)? = assemble(parts).0 else {
            Issue.record("not refused")
            return
        }
        #expect(errorClass == .malformed && reason.hasPrefix("dr-size:"))
    }

    @Test("An abandoned document is incomplete, naming what came and the setting")
    func abandoned() throws {
        let parts = try segments(Self.value)
        var assembly = SegmentAssembly(sha256: "x", first: parts[0].segment)
        _ = assembly.take(parts[0].value)
        let (errorClass, reason) = assembly.abandoned(idle: .seconds(120), setting: "limits.segment-timeout")
        #expect(errorClass == .incomplete)
        #expect(reason == "only 1 of 5 segments came (524288 of 2600000 bytes), then none for 120 s (limits.segment-timeout): the sender did not finish the document")
    }

    @Test("edXML: the first segment's header is read from its bytes alone")
    func edXMLPrefix() throws {
        let edXML = Array(EdXMLSamples.document(from: "000.00.00.G22", to: ["000.00.00.H58"], padding: 2_000_000).utf8)
        let parts = try segments(edXML, contentType: "application/edxml+xml")
        let first = try fixture.verifier().verify(headers: parts[0].headers, value: parts[0].value, segments: true).get()
        #expect(first.edXML?.from == "000.00.00.G22")
        #expect(assemble(parts).0 == .complete)
    }
}

/// A small edXML document with a large attachment-like body.
enum EdXMLSamples {
    static func document(from: String, to: [String], padding: Int) -> String {
        let recipients = to.map { "<edXML:To><edXML:OrganId>\($0)</edXML:OrganId></edXML:To>" }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader>\
            <edXML:From><edXML:OrganId>\(from)</edXML:OrganId></edXML:From>\(recipients)\
            <edXML:DocumentId>\(from),2026/12/01,large-1</edXML:DocumentId>\
            </edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody><Attachment>\(String(repeating: "QUJD", count: padding / 4))</Attachment></edXML:edXMLBody></edXML:edXMLEnvelope>
            """
    }
}
