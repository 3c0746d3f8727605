import DocRelayCore
import DocRelayTestSupport
import Foundation
import Testing

/// The status-01 fixture rewritten as other agency software writes it.
private func variant(_ name: String = Fixtures.status01, _ transform: (String) -> String) throws -> EdXMLHeader {
    try EdXMLReader.readHeader(Array(transform(try Fixtures.text(name)).utf8))
}

private let namespaceDeclaration = " xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\""

@Suite("edXML reader: tolerant of prefixes, namespaces, order and spelling")
struct EdXMLToleranceTests {
    @Test("Without a prefix, in the default namespace", arguments: Fixtures.all)
    func defaultNamespace(_ name: String) throws {
        let plain = try variant(name) { $0.replacingOccurrences(of: namespaceDeclaration, with: "").replacingOccurrences(of: "edXML:", with: "") }
        #expect(try plain == EdXMLReader.readHeader(Fixtures.bytes(name)))
    }

    @Test("Without any namespace")
    func noNamespace() throws {
        let bare = try variant(Fixtures.edocToThree) {
            $0.replacingOccurrences(of: namespaceDeclaration, with: "")
                .replacingOccurrences(of: " xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"", with: "")
                .replacingOccurrences(of: "edXML:", with: "")
        }
        #expect(bare.to == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"])
        #expect(bare.businessDocType == "0")
    }

    @Test("Another prefix, another namespace URI, or a prefix never declared")
    func prefixes() throws {
        let expected = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.status01))
        #expect(try variant { $0.replacingOccurrences(of: "edXML:", with: "ns2:").replacingOccurrences(of: "xmlns:edXML", with: "xmlns:ns2") } == expected)
        #expect(try variant { $0.replacingOccurrences(of: "http://www.mic.gov.vn/TBT/QCVN_102_2016", with: "urn:other") } == expected)
        #expect(try variant { $0.replacingOccurrences(of: namespaceDeclaration, with: "") } == expected)
    }

    @Test("The Business spelling as well as Bussiness")
    func businessSpelling() throws {
        let header = try variant(Fixtures.edocRecall) { $0.replacingOccurrences(of: "Bussiness", with: "Business") }
        #expect(header.businessDocType == "1")
    }

    @Test("Elements in another order, with whitespace, CDATA and entities")
    func orderAndText() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
          <edXMLEnvelope>
            <edXMLHeader>
              <TraceHeaderList>
                <Business><BusinessDocType> 2 </BusinessDocType></Business>
              </TraceHeaderList>
              <MessageHeader>
                <Subject>Q&amp;A &lt;urgent&gt;</Subject>
                <Code><CodeNotation>UBND</CodeNotation><CodeNumber>12</CodeNumber></Code>
                <To><OrganName>B</OrganName><OrganId><![CDATA[000.00.00.H58]]></OrganId></To>
                <DocumentId>
                    000.00.00.H53,2026/11/29,12/UBND
                </DocumentId>
                <From><OrganName>A</OrganName><OrganId>000.00.00.H53</OrganId></From>
                <To><OrganId>vxp.saas.03</OrganId></To>
              </MessageHeader>
            </edXMLHeader>
          </edXMLEnvelope>
        </edXML>
        """
        let header = try EdXMLReader.readHeader(Array(xml.utf8))
        #expect(header.from == "000.00.00.H53")
        #expect(header.to == ["000.00.00.H58", "vxp.saas.03"])
        #expect(header.documentId == "000.00.00.H53,2026/11/29,12/UBND")
        #expect(header.code == "12/UBND")
        #expect(header.subject == "Q&A <urgent>")
        #expect(header.businessDocType == "2")
    }

    @Test("Only the elements read keep their text: others may be as large as they like")
    func largeAttachment() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("large.edxml")
        // The fixture with a 24 MiB attachment, written in pieces: never one string in the test either.
        let text = try Fixtures.text(Fixtures.edocToThree)
        let marker = "<edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"
        let head = try #require(text.range(of: marker))
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data(text[..<head.upperBound].utf8))
        let line = Data((String(repeating: "QUJD", count: 19) + "\n").utf8)
        let block = (0..<4_096).reduce(into: Data()) { data, _ in data.append(line) }
        for _ in 0..<80 { try handle.write(contentsOf: block) }
        try handle.write(contentsOf: Data(text[head.upperBound...].utf8))
        try handle.close()
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        #expect(size > 25_000_000)

        var header: EdXMLHeader?
        let elapsed = try measure { header = try EdXMLReader.readHeader(contentsOf: file) }
        #expect(header?.to == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"])
        #expect(header?.documentId == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
        #expect(elapsed < .seconds(10))
    }
}
