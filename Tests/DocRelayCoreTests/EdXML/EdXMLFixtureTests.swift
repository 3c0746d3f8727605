import DocRelayCore
import Foundation
import Testing

/// What each fixture says, read by eye from `shared/fixtures/edxml/`.
private let g22 = "000.00.00.G22"
private let threeRecipients = ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
private let documentId = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
private let subject = "V/v kết nối, liên thông phần mềm quản lý văn bản"

@Suite("edXML fixtures: every file parses to the right From, To, DocumentId and status")
struct EdXMLFixtureTests {
    @Test("An edoc from Văn phòng Chính phủ to three agencies")
    func edocToThree() throws {
        let header = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.edocToThree))
        #expect(header.from == g22)
        #expect(header.to == threeRecipients)
        // Not the TraceHeaderList's DocumentId (…2014/02/30,7806…).
        #expect(header.documentId == documentId)
        #expect(header.codeNumber == "7816")
        #expect(header.codeNotation == "VPCP-TTĐT")
        #expect(header.code == "7816/VPCP-TTĐT")
        #expect(header.subject == subject)
        #expect(header.responseFor == nil)
        #expect(header.statusCode == nil)
        #expect(header.kind == .edoc)
        #expect(header.businessDocType == "0")
        #expect(header.statusDescription == nil)
        #expect(header.timestamp == nil)
        #expect(header.recipients == threeRecipients)
    }

    @Test("A recall: its own DocumentId, not the one it responds to")
    func recall() throws {
        let header = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.edocRecall))
        #expect(header.from == g22)
        #expect(header.to == threeRecipients)
        #expect(header.documentId == documentId)
        #expect(header.code == "7816/VPCP-TTĐT")
        #expect(header.kind == .edoc)
        #expect(header.businessDocType == "1")
        #expect(header.responseFor == EdXMLResponseFor(
            organId: "000.00.00.H14", code: "267/VPCP-TTĐT", promulgationDate: "2018/09/28",
            documentId: "000.00.04.G14,2012/08/06,267/VPCP-TTĐT"))
    }

    @Test("Status 01 and 05 from UBND Tỉnh Nghệ An about the edoc", arguments: [
        (Fixtures.status01, "01", "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"),
        (Fixtures.status05, "05", "Đang xử lý văn bản đến"),
    ])
    func statuses(_ fixture: (String, String, String)) throws {
        let header = try EdXMLReader.readHeader(Fixtures.bytes(fixture.0))
        #expect(header.from == "000.00.00.H41")
        #expect(header.to.isEmpty)
        #expect(header.documentId == nil)
        #expect(header.statusCode?.rawValue == fixture.1)
        #expect(header.kind == .status)
        #expect(header.statusDescription == fixture.2)
        #expect(header.timestamp == "2015/09/20 11:08:36")
        #expect(header.responseFor == EdXMLResponseFor(
            organId: g22, code: "7816/VPCP-TTĐT", promulgationDate: "2015/09/30", documentId: documentId))
        #expect(header.code == "7816/VPCP-TTĐT")
        #expect(header.recipients == [g22])
        #expect(header.businessDocType == nil)
    }

    @Test("Reading from the file gives the same header as reading the bytes", arguments: Fixtures.all)
    func fromFile(_ name: String) throws {
        let fromFile = try EdXMLReader.readHeader(contentsOf: Fixtures.url(name))
        #expect(try fromFile == EdXMLReader.readHeader(Fixtures.bytes(name)))
    }

    @Test("Status codes: names, writability, and the two-digit range read")
    func statusCodes() {
        #expect(EdXMLStatusCode.writable.map(\.rawValue) == ["01", "02", "03", "04", "05", "06", "13", "15", "16"])
        #expect(EdXMLStatusCode.received.name == "received")
        #expect(EdXMLStatusCode.acceptedAndRegistered.description == "03 (accepted and registered)")
        #expect(EdXMLStatusCode(rawValue: "07")?.isWritable == false)
        #expect(EdXMLStatusCode(rawValue: "16")?.isWritable == true)
        #expect(EdXMLStatusCode(rawValue: "07")?.name == "status 07")
        for text in ["00", "17", "1", "001", "", "0x", "99"] { #expect(EdXMLStatusCode(rawValue: text) == nil, "\(text)") }
    }
}
