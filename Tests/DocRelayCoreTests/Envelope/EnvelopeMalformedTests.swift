import DocRelayCore
import Foundation
import Testing

/// One way a record breaks the contract: its headers, and the refusal expected.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let name: String
    let headers: @Sendable () -> [(name: String, value: [UInt8]?)]
    let failure: EnvelopeError.Failure
    let header: String?
    let message: String

    var testDescription: String { name }

    init(
        _ name: String, _ header: String?, _ message: String, failure: EnvelopeError.Failure = .malformed,
        headers: @escaping @Sendable () -> [(name: String, value: [UInt8]?)]
    ) {
        self.name = name
        self.failure = failure
        self.header = header
        self.message = message
        self.headers = headers
    }

    static func replacing(
        _ name: String, _ header: String, with value: String, _ message: String, failure: EnvelopeError.Failure = .malformed
    ) -> MalformedCase {
        MalformedCase(name, header, message, failure: failure) { SampleEnvelope.replacing(header, with: value) }
    }
}

private let kindAck: @Sendable () -> [(name: String, value: [UInt8]?)] = { SampleEnvelope.replacing("dr-kind", with: "ack") }

private let cases: [MalformedCase] = [
    // Presence and repetition.
    MalformedCase("a signed header missing", "dr-sha256", "expected every signed header exactly once, not none") {
        SampleEnvelope.headers.filter { $0.name != "dr-sha256" }
    },
    MalformedCase("a signed header twice", "dr-to", "expected every signed header exactly once, not twice") {
        SampleEnvelope.headers + [("dr-to", Array("000.00.00.H58".utf8))]
    },
    MalformedCase("a relay header twice", "dr-attempt", "expected this header at most once, not twice") {
        SampleEnvelope.headers + [("dr-attempt", Array("3".utf8))]
    },
    MalformedCase("a signed header without a value", "dr-kind", "expected a value, not a header without one") {
        SampleEnvelope.replacing("dr-kind", with: nil)
    },
    MalformedCase("a hop without a value", "dr-hop", "expected a value, not a header without one") {
        SampleEnvelope.headers + [("dr-hop", nil)]
    },
    MalformedCase("not UTF-8", "dr-id", "expected UTF-8 text, not 'ab\u{FFFD}'") {
        SampleEnvelope.replacing("dr-id", with: [0x61, 0x62, 0xFF])
    },
    .replacing("a line break in a signed header (it would add a line to the signature base)", "dr-id",
               with: "doc\nkind:status", "expected text without control characters or line breaks, not 'doc\\nkind:status'"),
    .replacing("an empty id", "dr-id", with: "", "expected a document id, not an empty value"),
    // Kinds and codes.
    .replacing("an unknown kind", "dr-kind", with: "EDOC", "expected edoc, status or ack, not 'EDOC'"),
    .replacing("a sender that is not a code", "dr-from", with: "VPCP",
               "expected the sender's agency code: expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, or an identifier such as vxp.saas.03 (1 to 64 of a-z 0-9 . _ -, starting and ending with a letter or digit), not 'VPCP'"),
    .replacing("a lower-case QCVN sender", "dr-from", with: "000.00.00.g22",
               "expected the sender's agency code: expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, not '000.00.00.g22'"),
    .replacing("a hub sender for an edoc", "dr-from", with: "hub:national",
               "expected the sender's agency code: expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, or an identifier such as vxp.saas.03 (1 to 64 of a-z 0-9 . _ -, starting and ending with a letter or digit), not 'hub:national'"),
    MalformedCase("an ack from an agency", "dr-from", "expected hub:<hub-id> for an ack, such as hub:national, not '000.00.00.G22'") {
        kindAck().map { $0.name == "dr-ref" ? ("dr-ref", Array("x".utf8)) : $0 }
    },
    MalformedCase("an ack from a malformed hub", "dr-from", "expected hub:<hub-id> for an ack, such as hub:national, not 'hub:Nat ional'") {
        kindAck().map {
            switch $0.name {
            case "dr-ref": ("dr-ref", Array("x".utf8))
            case "dr-from": ("dr-from", Array("hub:Nat ional".utf8))
            default: $0
            }
        }
    },
    .replacing("recipients with spaces (the contract's example)", "dr-to", with: "000.00.00.H58, 000.00.00.H53",
               "expected recipient codes separated by commas without spaces, not '000.00.00.H58, 000.00.00.H53'"),
    .replacing("no recipient", "dr-to", with: "", "expected recipient codes separated by commas without spaces, not an empty value"),
    .replacing("an empty recipient", "dr-to", with: "000.00.00.H58,", "expected recipient codes separated by commas without spaces, not '000.00.00.H58,'"),
    .replacing("a recipient that is not a code", "dr-to", with: "000.00.00.H58;000.00.00.H53",
               "expected recipient codes separated by commas without spaces; '000.00.00.H58;000.00.00.H53' is not one: expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, or an identifier such as vxp.saas.03 (1 to 64 of a-z 0-9 . _ -, starting and ending with a letter or digit), not '000.00.00.H58;000.00.00.H53'"),
    .replacing("a recipient twice", "dr-to", with: "000.00.00.H58,000.00.00.H53,000.00.00.H58",
               "each recipient once, not '000.00.00.H58' twice"),
    // Times, types, refs, digests, signatures.
    .replacing("a local time", "dr-created", with: "2026-11-29T08:02:03+07:00",
               "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not '2026-11-29T08:02:03+07:00'"),
    .replacing("an impossible date", "dr-created", with: "2026-02-29T01:02:03Z",
               "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not '2026-02-29T01:02:03Z'"),
    .replacing("a date without time", "dr-created", with: "2026-11-29",
               "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not '2026-11-29'"),
    .replacing("a content type without subtype", "dr-content-type", with: "pdf",
               "expected a MIME type type/subtype such as application/edxml+xml, not 'pdf'"),
    .replacing("a content type with parameters", "dr-content-type", with: "application/json; charset=utf-8",
               "expected a MIME type type/subtype such as application/edxml+xml, not 'application/json; charset=utf-8'"),
    .replacing("a ref on an edoc", "dr-ref", with: "doc-0", "expected an empty value for an edoc, not 'doc-0'"),
    MalformedCase("a status without ref", "dr-ref", "expected the id of the document a status is about, not an empty value") {
        SampleEnvelope.replacing("dr-kind", with: "status")
    },
    .replacing("an upper-case digest", "dr-sha256", with: SampleEnvelope.sha256.uppercased(),
               "expected 64 lowercase hexadecimal digits, not '\(SampleEnvelope.sha256.uppercased())'"),
    .replacing("a short digest", "dr-sha256", with: "abc", "expected 64 lowercase hexadecimal digits, not 'abc'"),
    .replacing("base64 without padding", "dr-signature", with: "AAE", "expected standard base64 with padding, not 'AAE'"),
    .replacing("URL-safe base64", "dr-signature", with: "AA-_", "expected standard base64 with padding, not 'AA-_'"),
    .replacing("base64 with a line break", "dr-signature", with: "AAAA\nAAAA",
               "expected text without control characters or line breaks, not 'AAAA\\nAAAA'"),
    .replacing("base64 with non-zero padding bits", "dr-signature", with: "AB==", "expected standard base64 with padding, not 'AB=='"),
    .replacing("an empty signature", "dr-signature", with: "", "expected standard base64 with padding, not ''"),
    // Relay headers.
    .replacing("a negative attempt", "dr-attempt", with: "-1", "expected a decimal number from 0 to \(Int.max), not '-1'"),
    .replacing("a partition beyond Int32", "dr-origin-partition", with: "2147483648",
               "expected a decimal number from 0 to 2147483647, not '2147483648'"),
    .replacing("an offset with a sign", "dr-origin-offset", with: "+5", "expected a decimal number from 0 to \(Int64.max), not '+5'"),
    .replacing("a not-before that is not a time", "dr-not-before", with: "soon",
               "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not 'soon'"),
    .replacing("a dead-letter time with an offset", "dr-dead-lettered-at", with: "2026-11-29T02:00:00+00:00",
               "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not '2026-11-29T02:00:00+00:00'"),
    .replacing("an error class that is not a word", "dr-error-class", with: "Signature!",
               "expected a class such as signature or malformed, not 'Signature!'"),
    .replacing("an origin topic Kafka would refuse", "dr-origin-topic", with: "docrelay out",
               "expected a Kafka topic name, not 'docrelay out'"),
    // Sizes.
    .replacing("an id over 256 bytes", "dr-id", with: String(repeating: "đ", count: 129),
               "expected at most 256 bytes, not 258", failure: .oversize),
    MalformedCase("a ref over 256 bytes", "dr-ref", "expected at most 256 bytes, not 257", failure: .oversize) {
        SampleEnvelope.replacing("dr-kind", with: "status").map {
            $0.name == "dr-ref" ? ("dr-ref", Array(String(repeating: "r", count: 257).utf8)) : $0
        }
    },
    .replacing("more than 500 recipients", "dr-to",
               with: (0..<501).map { "unit-\($0)" }.joined(separator: ","),
               "expected at most 500 recipients, not 501", failure: .oversize),
    .replacing("a header value over 16 KiB", "dr-error", with: String(repeating: "e", count: 16_385),
               "expected a value of at most 16384 bytes, not 16385", failure: .oversize),
    .replacing("a signature over 16 KiB", "dr-signature", with: Base64Text.encode([UInt8](repeating: 7, count: 16_385)),
               "expected a signature of at most 16384 bytes, not 16385", failure: .oversize),
    .replacing("a signature text over the limit", "dr-signature", with: String(repeating: "A", count: 21_852),
               "expected a value of at most 21848 bytes, not 21852", failure: .oversize),
    // Header bytes bounded at decode (issue 10): unknown headers too, one by one and together.
    MalformedCase("an unknown header over 16 KiB (issue 10's poison record: ten of 120 KB)", "x-pad-0",
                  "expected a value of at most 16384 bytes, not 122880", failure: .oversize) {
        SampleEnvelope.headers + (0..<10).map { ("x-pad-\($0)", [UInt8](repeating: 0x78, count: 122_880)) }
    },
    MalformedCase("unknown headers over 64 KiB in all, each within its bound", nil,
                  "expected headers of at most 65536 bytes in all, not \(SampleEnvelope.headerBytes + 5 * (7 + 16_000)) (\(SampleEnvelope.headers.count + 5) headers; largest x-pad-0 16000 B, x-pad-1 16000 B, x-pad-2 16000 B)",
                  failure: .oversize) {
        SampleEnvelope.headers + (0..<5).map { ("x-pad-\($0)", [UInt8](repeating: 0x78, count: 16_000)) }
    },
    MalformedCase("a hostile header name is quoted and cut in the reason", "'\(String(repeating: "n", count: 64))…'",
                  "expected a value of at most 16384 bytes, not 20000", failure: .oversize) {
        SampleEnvelope.headers + [(String(repeating: "n", count: 100_000), [UInt8](repeating: 0x78, count: 20_000))]
    },
]

@Suite("Envelope: every malformed or oversize record refused with its own reason")
struct EnvelopeMalformedTests {
    @Test("Each case is refused, naming the header and what was expected", arguments: cases)
    func refused(_ testCase: MalformedCase) {
        let error = #expect(throws: EnvelopeError.self) { try SampleEnvelope.decode(testCase.headers()) }
        #expect(error?.failure == testCase.failure)
        #expect(error?.header == testCase.header)
        #expect(error?.message == testCase.message)
        if let header = testCase.header {
            #expect(error?.description == "\(header): \(testCase.message)")
        }
    }

    @Test("A value over the limit is oversize, whatever the headers")
    func oversizeValue() {
        let error = #expect(throws: EnvelopeError.self) {
            try Envelope.decode(headers: SampleEnvelope.headers, valueLength: 1_048_577)
        }
        #expect(error?.failure == .oversize)
        #expect(error?.header == nil)
        #expect(error?.description == "expected a value of at most 1048576 bytes, not 1048577")
        #expect(throws: Never.self) { try Envelope.decode(headers: SampleEnvelope.headers, valueLength: 1_048_576) }
    }

    @Test("Limits are configurable")
    func customLimits() {
        var limits = EnvelopeLimits()
        limits.maxRecipients = 2
        let error = #expect(throws: EnvelopeError.self) {
            try Envelope.decode(headers: SampleEnvelope.headers, valueLength: 0, limits: limits)
        }
        #expect(error?.description == "dr-to: expected at most 2 recipients, not 3")
        limits = EnvelopeLimits(maxSignatureBytes: 299)
        let signature = #expect(throws: EnvelopeError.self) {
            try Envelope.decode(headers: SampleEnvelope.headers, valueLength: 0, limits: limits)
        }
        #expect(signature?.description == "dr-signature: expected a signature of at most 299 bytes, not 300")
    }

    @Test("The header budget is configurable, and headers within it pass")
    func headerBudget() {
        let padded = SampleEnvelope.headers + (0..<3).map { ("x-pad-\($0)", [UInt8](repeating: 0x78, count: 16_000)) }
        #expect(throws: Never.self) { try Envelope.decode(headers: padded, valueLength: 0) }
        let error = #expect(throws: EnvelopeError.self) {
            try Envelope.decode(headers: padded, valueLength: 0, limits: EnvelopeLimits(maxHeaderBytes: 32_768))
        }
        #expect(error?.failure == .oversize)
        #expect(error?.message.hasPrefix("expected headers of at most 32768 bytes in all, not ") == true)
        print("decode bound: \(SampleEnvelope.headerBytes + 3 * 16_007) header bytes pass 64 KiB, refused at 32 KiB")
    }

    @Test("signatureBytes() refuses what is not base64")
    func signatureBytes() {
        let signed = SignedHeaders(id: "x", kind: .edoc, from: "a", to: ["b"], created: "", createdDate: .distantPast,
                                   contentType: "a/b", ref: "", sha256: "", signature: "not base64!")
        let error = #expect(throws: EnvelopeError.self) { try signed.signatureBytes() }
        #expect(error?.failure == .malformed)
        #expect(error?.header == "dr-signature")
    }
}
