import DocRelayCore
import Testing

@Suite("dr-segment and dr-size: a large document's segments, read strictly")
struct DocumentSegmentTests {
    private func read(_ segment: String?, _ size: String?, max: Int = 67_108_864) throws(EnvelopeError) -> DocumentSegment? {
        try DocumentSegment.read(segment: segment, size: size, maxDocumentBytes: max)
    }

    @Test("A part and the abort marker read back as written")
    func roundTrip() throws {
        let part = try #require(try read("3/24", "12582912"))
        #expect(part.index == 3 && part.count == 24 && part.documentSize == 12_582_912 && !part.isLast)
        #expect(part.headerValue == "3/24" && part.description == "segment 4 of 24")
        let abort = try #require(try read("abort/24", "12582912"))
        #expect(abort.isAbort && abort.index == nil && abort.headerValue == "abort/24")
        #expect(try read(nil, nil) == nil)
    }

    @Test("Malformed forms name the header", arguments: [
        ("24/24", "100"), ("-1/24", "100"), ("1/1", "100"), ("a/2", "100"), ("1/2/3", "100"), ("1/2", "x"), ("1/2", nil),
        (nil, "100"), ("0/200", "100"), (" 1/2", "100"),
    ] as [(String?, String?)])
    func malformed(segment: String?, size: String?) {
        #expect(throws: EnvelopeError.self) { try read(segment, size) }
        do {
            _ = try read(segment, size)
        } catch {
            #expect(error.failure == .malformed)
            #expect(error.header == HeaderName.segment || error.header == HeaderName.size)
        }
    }

    @Test("A document over max-document-bytes is oversize")
    func oversize() {
        do {
            _ = try read("0/3", "3000", max: 2999)
            Issue.record("accepted")
        } catch {
            #expect(error.failure == .oversize && error.header == HeaderName.size)
        }
    }

    @Test("Segmentation: whole up to max-value-bytes, else 512 KiB pieces covering every byte once")
    func segmentation() {
        let plan = DocumentSegmentation()
        #expect(plan.ranges(size: 1_048_576) == [0..<1_048_576])
        #expect(plan.segments(size: 1_048_576).isEmpty)
        let size = 12 * 1_048_576 + 5
        let ranges = plan.ranges(size: size)
        #expect(ranges.count == 25)
        #expect(ranges.first == 0..<524_288 && ranges.last == (24 * 524_288)..<size)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(plan.segments(size: size).map(\.headerValue).last == "24/25")
    }

    @Test("The relay headers carry the segment, and decoding reads it back")
    func relayHeaders() throws {
        let headers = RelayHeaders(segment: DocumentSegment(index: 1, count: 2, documentSize: 2_000_000)).headers
        #expect(headers.map(\.name) == [HeaderName.segment, HeaderName.size])
    }
}
