import DocRelayCore
import DocRelayTestSupport
import Testing

/// Checks what any header read must satisfy.
private func violation(_ header: EdXMLHeader) -> String? {
    guard let from = header.from, !from.isEmpty else { return "a header without From" }
    if header.kind == .edoc && header.to.isEmpty { return "an edoc without To" }
    if header.kind == .status && header.responseFor == nil { return "a status without ResponseFor" }
    if let code = header.statusCode, !(1...16).contains(Int(code.rawValue) ?? 0) { return "status code \(code.rawValue)" }
    return nil
}

private let xmlTokens = ["<", ">", "</", "/>", "&", "&amp;", "&#0;", "&#x10FFFF;", "<![CDATA[", "]]>", "<!--", "-->", "\"",
                         "<edXML:To><edXML:OrganId>x</edXML:OrganId></edXML:To>", "<MessageHeader>", "</MessageHeader>",
                         "<?xml version=\"1.0\"?>", "<!DOCTYPE a [<!ENTITY e \"x\">]>", "&e;", "xmlns:edXML=\"\"", "\u{0}",
                         "\u{FEFF}", "é"].map { Array($0.utf8) }

/// Reads `bytes`; records an issue when the result breaks the reader's promises.
private func check(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> Bool {
    do throws(EdXMLError) {
        let header = try EdXMLReader.readHeader(bytes)
        if let reason = violation(header) { Issue.record("\(label()): \(reason)") }
        return true
    } catch {
        if error.message.isEmpty { Issue.record("\(label()): an error without a reason") }
        return false
    }
}

@Suite("Properties: the edXML reader never crashes or hangs on what agencies might send")
struct EdXMLPropertyTests {
    @Test("Mutations of the status and edoc fixtures", .timeLimit(.minutes(1)))
    func mutations() throws {
        var generator = SeededGenerator(seed: 0xED_0A11)
        let status = try Fixtures.bytes(Fixtures.status01)
        let edoc = try Fixtures.bytes(Fixtures.edocToThree)
        var read = 0
        let elapsed = measure {
            for index in 0..<2_500 {
                let source = index % 5 == 4 ? edoc : status
                if check(Mutator.mutate(source, tokens: xmlTokens, maxEdits: 3, using: &generator), "case \(index)") { read += 1 }
            }
        }
        #expect(elapsed < .seconds(5))
        #expect(read > 100)
        #expect(read < 2_500)
    }

    @Test("Every truncation of every fixture", .timeLimit(.minutes(1)))
    func truncations() throws {
        let elapsed = try measure {
            for name in [Fixtures.status01, Fixtures.status05, Fixtures.edocToThree] {
                let bytes = try Fixtures.bytes(name)
                let step = bytes.count > 5_000 ? 17 : 3
                for cut in stride(from: 0, to: bytes.count - 12, by: step) {
                    // Cut before the end of the root element: never a whole document.
                    #expect(!check(Array(bytes.prefix(cut)), "\(name) cut at \(cut)"), "\(name) cut at \(cut) was read")
                }
            }
        }
        #expect(elapsed < .seconds(5))
    }

    @Test("Random bytes, bare or after an XML start", .timeLimit(.minutes(1)))
    func randomBytes() {
        var generator = SeededGenerator(seed: 0xB17E5)
        let starts = ["", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<edXML><MessageHeader>", "<a:b xmlns:a=\"u\">"].map { Array($0.utf8) }
        let elapsed = measure {
            for index in 0..<2_500 {
                let bytes = starts[index % starts.count] + generator.bytes(Int.random(in: 0..<600, using: &generator))
                #expect(!check(bytes, "case \(index)"), "random case \(index) was read as edXML")
            }
        }
        #expect(elapsed < .seconds(5))
    }
}
