import DocRelayCore
import DocRelayTestSupport
import Foundation
import Testing

private let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"  // 39 bytes

/// An edoc from G22 to H58 whose From/OrganId is `organ` (an entity reference, say).
private func edoc(organ: String = "000.00.00.G22", body: String = "") -> String {
    "<edXML><edXMLEnvelope><edXMLHeader><MessageHeader>"
        + "<From><OrganId>\(organ)</OrganId></From><To><OrganId>000.00.00.H58</OrganId></To>"
        + "</MessageHeader></edXMLHeader></edXMLEnvelope><edXMLBody>\(body)</edXMLBody></edXML>"
}

private func refusal(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    #expect(throws: EdXMLError.self, sourceLocation: sourceLocation) { try EdXMLReader.readHeader(bytes) }?.message
}

private func refusal(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    refusal(Array(xml.utf8), sourceLocation: sourceLocation)
}

@Suite("edXML prolog: no DTD, so no entity expansion and no external entity, refused before parsing")
struct EdXMLPrologTests {
    @Test("An entity of 200 KB referenced 60,000 times (a 380 KB file, 23 s to parse) is refused at once")
    func entityExpansionBomb() {
        let entity = String(repeating: "A", count: 200_000)
        let references = String(repeating: "&e;", count: 60_000)
        let xml = declaration + "<!DOCTYPE edXML [<!ENTITY e \"\(entity)\">]>\n" + edoc(body: "<Subject>\(references)</Subject>")
        #expect(xml.utf8.count > 380_000)
        var message: String?
        let elapsed = measure { message = refusal(xml) }
        print("edXML entity-expansion bomb (\(xml.utf8.count) bytes) refused in \(elapsed) of CPU")
        #expect(message == "edXML must not declare a DTD (<!DOCTYPE found at byte 39)")
        #expect(elapsed < .seconds(2))
    }

    @Test("An external entity (XXE) naming /etc/passwd is refused, never read")
    func externalEntity() {
        let xml = declaration + "<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + edoc(organ: "&x;")
        #expect(refusal(xml) == "edXML must not declare a DTD (<!DOCTYPE found at byte 39)")
    }

    @Test("A plain DOCTYPE, after a byte order mark, the declaration and comments: refused at its offset")
    func plainDoctype() {
        #expect(refusal("<!DOCTYPE edXML>" + edoc()) == "edXML must not declare a DTD (<!DOCTYPE found at byte 0)")
        let prolog = "\u{FEFF}" + declaration + "<!-- from the agency's software -->\n<?stylesheet x?>\n  <!DOCTYPE edXML SYSTEM \"edxml.dtd\">"
        #expect(refusal(prolog + edoc()) == "edXML must not declare a DTD (<!DOCTYPE found at byte 97)")
        // Any other markup declaration in the prolog is refused by name.
        #expect(refusal(declaration + "<!ENTITY e \"x\">" + edoc()) == "edXML must not declare a DTD (<!ENTITY found at byte 39)")
        #expect(refusal(declaration + "<![CDATA[x]]>" + edoc()) == "edXML must not declare a DTD (<![CDATA[ found at byte 39)")
    }

    @Test("<!DOCTYPE in a comment of the prolog, or in a comment or CDATA of the body, is text: the header is read")
    func doctypeAsText() throws {
        let xml = declaration + "<!-- <!DOCTYPE edXML [<!ENTITY e \"x\">]> -->\n"
            + edoc(body: "<!-- <!DOCTYPE x> --><Note><![CDATA[<!DOCTYPE edXML [<!ENTITY e \"x\">]>]]></Note>")
        let header = try EdXMLReader.readHeader(Array(xml.utf8))
        #expect(header.from == "000.00.00.G22")
        #expect(try EdXMLReader.readHeader(Array((" \r\n\t" + edoc()).utf8)).from == "000.00.00.G22")
        #expect(try EdXMLReader.readHeader(Array(("<?xml version='1.0' encoding='utf-8'?>" + edoc()).utf8)).to == ["000.00.00.H58"])
    }

    @Test("UTF-16, UTF-32 or another declared encoding: refused, edXML is read as UTF-8 only")
    func otherEncodings() {
        let utf16 = [UInt8]([0xFF, 0xFE]) + (declaration + edoc()).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let advice = "edXML is read as UTF-8 only: convert the document to UTF-8 before signing"
        #expect(refusal(utf16) == "UTF-16 is not accepted (little-endian, byte order mark FF FE): \(advice)")
        let utf16NoMark = (declaration + edoc()).utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(refusal(utf16NoMark) == "UTF-16 is not accepted (big-endian, no byte order mark: the document starts with bytes 00 3C 00 3F): \(advice)")
        #expect(refusal([0x00, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x00, 0x3C]) == "UTF-32 is not accepted (big-endian, byte order mark 00 00 FE FF): \(advice)")
        // An encoding the parser would switch to after the declaration (UTF-7 can spell "<!" as "+ADw-!").
        #expect(refusal("<?xml version=\"1.0\" encoding=\"UTF-7\"?>+ADw-!DOCTYPE edXML+AD4-" + edoc())
            == #"declared encoding "UTF-7" disagrees with the bytes (UTF-8): declare UTF-8, or no encoding (XML 1.0 §4.3.3)"#)
    }

    @Test("A prolog longer than 64 KiB is refused; one that ends the document is left to the parser")
    func longProlog() {
        let comment = "<!--" + String(repeating: "-x", count: 40_000) + "-->"
        #expect(refusal(declaration + comment + edoc()) == "a prolog (before the root element) longer than 65536 bytes")
        #expect(refusal(declaration + "<!-- never closed") == "not XML: an unfinished comment")
    }

    @Test("The same refusal when the file is read from disk")
    func fromFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dtd-\(UUID().uuidString).edxml")
        try Data((declaration + "<!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + edoc(organ: "&x;")).utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: EdXMLError.self) { try EdXMLReader.readHeader(contentsOf: url) }
        #expect(error?.message == "edXML must not declare a DTD (<!DOCTYPE found at byte 39)")
    }
}
