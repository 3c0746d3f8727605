import DocRelayCore
import Foundation
import Testing

private let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"  // 39 bytes

private let edoc = "<edXML><edXMLEnvelope><edXMLHeader><MessageHeader>"
    + "<From><OrganId>000.00.00.G22</OrganId></From><To><OrganId>000.00.00.G01</OrganId></To>"
    + "<Subject>Thử nghiệm</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"

private func refusal(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    #expect(throws: EdXMLError.self, sourceLocation: sourceLocation) { try EdXMLReader.readHeader(bytes) }?.description
}

private func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    refusal(Array(text.utf8), sourceLocation: sourceLocation)
}

/// The same refusal when the file is read from disk (the relay reads values, `sign` and the agent files).
private func fileRefusal(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    let error = #expect(throws: EdXMLError.self, sourceLocation: sourceLocation) {
        try EdXMLReader.readHeader(contentsOf: Fixtures.url(name))
    }
    return error?.description
}

@Suite("edXML that is not readable UTF-8 XML: refused with its own cause (issue 12, point 4)")
struct EdXMLUnreadableTests {
    @Test("(a) bytes before <?xml: content before the XML declaration, at its byte")
    func contentBeforeDeclaration() throws {
        let expected = #"content before the XML declaration at byte 0 ("1212"): the declaration must come first (XML 1.0 §2.8)"#
        #expect(try refusal(Fixtures.bytes(Fixtures.Unreadable.contentBeforeDeclaration)) == expected)
        #expect(try fileRefusal(Fixtures.Unreadable.contentBeforeDeclaration) == expected)
    }

    @Test("(b) encoding=\"utf-16\" over UTF-8 bytes (.NET's XmlWriter over a StringBuilder): the declaration disagrees with the bytes")
    func utf16DeclaredOverUTF8() throws {
        let expected = #"declared encoding "utf-16" disagrees with the bytes (UTF-8): declare UTF-8, or no encoding (XML 1.0 §4.3.3)"#
        #expect(try refusal(Fixtures.bytes(Fixtures.Unreadable.utf16DeclaredOverUTF8)) == expected)
        #expect(try fileRefusal(Fixtures.Unreadable.utf16DeclaredOverUTF8) == expected)
    }

    @Test("(c) real UTF-16 with its byte order mark, little- and big-endian: not accepted, named with its byte order")
    func utf16() throws {
        let advice = "edXML is read as UTF-8 only: convert the document to UTF-8 before signing"
        let little = "UTF-16 is not accepted (little-endian, byte order mark FF FE): \(advice)"
        let big = "UTF-16 is not accepted (big-endian, byte order mark FE FF): \(advice)"
        #expect(try refusal(Fixtures.bytes(Fixtures.Unreadable.utf16LE)) == little)
        #expect(try fileRefusal(Fixtures.Unreadable.utf16LE) == little)
        #expect(try refusal(Fixtures.bytes(Fixtures.Unreadable.utf16BE)) == big)
        #expect(try fileRefusal(Fixtures.Unreadable.utf16BE) == big)
        // Without a byte order mark, and UTF-32: named by the first bytes.
        let noMark = (declaration + edoc).utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(refusal(noMark) == "UTF-16 is not accepted (big-endian, no byte order mark: the document starts with bytes 00 3C 00 3F): \(advice)")
        #expect(refusal([0xFF, 0xFE, 0x00, 0x00, 0x3C, 0x00, 0x00, 0x00]) == "UTF-32 is not accepted (little-endian, byte order mark FF FE 00 00): \(advice)")
    }

    @Test("A UTF-8 byte order mark and CRLF line ends are read as usual")
    func bomAndCRLF() throws {
        let bytes = try Fixtures.bytes(Fixtures.bomCRLF)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]) && bytes.contains(0x0D))
        for header in [try EdXMLReader.readHeader(bytes), try EdXMLReader.readHeader(contentsOf: Fixtures.url(Fixtures.bomCRLF))] {
            #expect(header.from == "000.00.00.G22")
            #expect(header.to == ["000.00.00.G01"])
            #expect(header.documentId == "000.00.00.G22,2026/11/30,5/VPCP-TTĐT")
            #expect(header.subject == "Về việc thử nghiệm gửi nhận văn bản điện tử")
        }
        // Whitespace, comments and processing instructions may stand before the root, UTF-8 in any case.
        let prolog = "\u{FEFF}<?xml version='1.0' encoding='utf8'?>\r\n<!-- QLVB -->\r\n<?pi x?>\r\n"
        #expect(try EdXMLReader.readHeader(Array((prolog + edoc).utf8)).to == ["000.00.00.G01"])
        #expect(try EdXMLReader.readHeader(Array(("<?xml version=\"1.0\" encoding=\"Utf-8\" ?>" + edoc).utf8)).from == "000.00.00.G22")
    }

    @Test("The whole kind: any content before the root that is not whitespace, a byte order mark, a comment or a PI is named with its byte")
    func contentBeforeTheRoot() {
        // After a byte order mark: the offset counts it.
        #expect(refusal("\u{FEFF}1212" + declaration + edoc)
            == #"content before the XML declaration at byte 3 ("1212"): the declaration must come first (XML 1.0 §2.8)"#)
        // Between the declaration and the root, or with no declaration at all.
        #expect(refusal(declaration + "abc\n" + edoc)
            == #"content before the root element at byte 39 ("abc\n"): only whitespace, comments and processing instructions may precede it (XML 1.0 §2.8)"#)
        #expect(refusal("%PDF-1.7 binary")
            == #"content before the root element at byte 0 ("%PDF-1.7 binary"): only whitespace, comments and processing instructions may precede it (XML 1.0 §2.8)"#)
        #expect(refusal(declaration + "<!-- x -->é" + edoc)?.hasPrefix(#"content before the root element at byte 49 ("é")"#) == true)
        // A long run is cut in the message.
        #expect(refusal(String(repeating: "x", count: 100) + declaration + edoc)
            == #"content before the XML declaration at byte 0 ("xxxxxxxxxxxxxxxxxxxxxxxx…"): the declaration must come first (XML 1.0 §2.8)"#)
        // Whitespace or a comment before the declaration: the declaration is not first.
        #expect(refusal("\n" + declaration + edoc)
            == "the XML declaration at byte 1 does not start the document: only a UTF-8 byte order mark may precede it (XML 1.0 §2.8)")
        #expect(refusal("<!-- x -->" + declaration + edoc)
            == "the XML declaration at byte 10 does not start the document: only a UTF-8 byte order mark may precede it (XML 1.0 §2.8)")
    }

    @Test("The whole kind: any declared encoding but UTF-8 is named (XML 1.0 §4.3.3)")
    func declaredEncodings() {
        func declared(_ name: String) -> String { "<?xml version=\"1.0\" encoding=\"\(name)\"?>\n" }
        #expect(refusal(declared("ISO-8859-1") + edoc)
            == #"declared encoding "ISO-8859-1" disagrees with the bytes (UTF-8): declare UTF-8, or no encoding (XML 1.0 §4.3.3)"#)
        #expect(refusal(declared("UTF-16LE") + edoc)?.hasPrefix(#"declared encoding "UTF-16LE" disagrees with the bytes (UTF-8)"#) == true)
        #expect(refusal("<?xml version='1.0' encoding = 'UTF-7'?>+ADw-!DOCTYPE edXML+AD4-" + edoc)?
            .hasPrefix(#"declared encoding "UTF-7" disagrees"#) == true)
        // Bytes that are not UTF-8 either (Vietnamese in windows-1258): the declaration is named, and so are the bytes.
        let windows1258 = Array(declared("windows-1258").utf8) + Array(edoc.utf8.prefix(90)) + [0x54, 0xF2, 0x20] + Array(edoc.utf8.dropFirst(90))
        #expect(refusal(windows1258)
            == #"declared encoding "windows-1258" is not UTF-8, and neither are the bytes: edXML is read as UTF-8 only: convert the document to UTF-8 before signing"#)
    }
}

@Suite("edXML by its look: what sign, send and the agent take for edXML before reading it")
struct EdXMLLookTests {
    @Test("Every fixture, readable or not, looks like edXML; other documents do not")
    func looks() throws {
        let names = Fixtures.all + [
            Fixtures.Unreadable.contentBeforeDeclaration, Fixtures.Unreadable.utf16DeclaredOverUTF8,
            Fixtures.Unreadable.utf16LE, Fixtures.Unreadable.utf16BE, Fixtures.bomCRLF,
        ]
        for name in names { #expect(EdXMLReader.looksLikeEdXML(try Fixtures.bytes(name)), "\(name)") }
        #expect(!EdXMLReader.looksLikeEdXML(Array("%PDF-1.7 <</Type /Catalog>>".utf8)))
        #expect(!EdXMLReader.looksLikeEdXML(Array("<note>about edXML, not one</note>".utf8)))
        // Only the first 4 KiB count.
        #expect(!EdXMLReader.looksLikeEdXML(Array((String(repeating: " ", count: 4096) + "<edXML/>").utf8)))
    }
}
