import DocRelayCore
import Foundation
import Testing

private let nghean = EdXMLOrganization(
    organId: "000.00.00.H41", organName: "UBND Tỉnh Nghệ An", organizationInCharge: "UBND Tỉnh Nghệ An",
    organAdd: "Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An, Việt Nam", email: "nghean@gov.vn",
    telephone: "0383 840418", fax: "0383 843049", website: "www.nghean.vn")
private let original = EdXMLResponseFor(
    organId: "000.00.00.G22", code: "7816/VPCP-TTĐT", promulgationDate: "2015/09/30",
    documentId: "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
private let clerk = EdXMLStaff(department: "Phong hanh chinh", staff: "Nguyen thi ngoc tram", mobile: "84912000001",
                               email: "ngoctram@nghean.vn")
/// 2015/09/20 11:08:36 in Vietnam: 04:08:36 UTC.
private let stamp = Date(timeIntervalSince1970: 1_442_722_116)

@Suite("edXML status writer: shaped like the fixtures, read back unchanged")
struct EdXMLStatusWriterTests {
    @Test("Every writable code round-trips through the reader", arguments: EdXMLStatusCode.writable)
    func roundTrip(_ code: EdXMLStatusCode) throws {
        let bytes = try EdXMLStatusWriter.status(
            from: nghean, responseFor: original, code: code, description: "Trạng thái \(code.name)", staff: clerk,
            timestamp: stamp)
        let header = try EdXMLReader.readHeader(bytes)
        #expect(header.from == "000.00.00.H41")
        #expect(header.statusCode == code)
        #expect(header.kind == .status)
        #expect(header.responseFor == original)
        #expect(header.statusDescription == "Trạng thái \(code.name)")
        #expect(header.timestamp == "2015/09/20 11:08:36")
        #expect(header.to.isEmpty)
        #expect(header.recipients == ["000.00.00.G22"])
    }

    @Test("The status-01 fixture, written again, reads the same")
    func matchesFixture() throws {
        let fixture = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.status01))
        let written = try EdXMLReader.readHeader(EdXMLStatusWriter.status(
            from: nghean, responseFor: original, code: .received, description: fixture.statusDescription, staff: clerk,
            timestamp: stamp))
        #expect(written == fixture)
    }

    @Test("Shape: the QCVN namespace, the edXML: prefix, optional parts left out")
    func shape() throws {
        let bytes = try EdXMLStatusWriter.status(
            from: EdXMLOrganization(organId: "000.00.00.H41"), responseFor: EdXMLResponseFor(organId: "000.00.00.G22", documentId: "d-1"),
            code: .completed, description: nil, staff: nil, timestamp: Date(timeIntervalSince1970: 0))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == """
        <?xml version="1.0" encoding="UTF-8"?>
        <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
          <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
            <edXML:edXMLHeader>
              <edXML:MessageHeader>
                <edXML:From>
                  <edXML:OrganId>000.00.00.H41</edXML:OrganId>
                </edXML:From>
                <edXML:ResponseFor>
                  <edXML:OrganId>000.00.00.G22</edXML:OrganId>
                  <edXML:DocumentId>d-1</edXML:DocumentId>
                </edXML:ResponseFor>
                <edXML:StatusCode>06</edXML:StatusCode>
                <edXML:Timestamp>1970/01/01 07:00:00</edXML:Timestamp>
              </edXML:MessageHeader>
            </edXML:edXMLHeader>
          </edXML:edXMLEnvelope>
        </edXML>

        """)
    }

    @Test("Text is escaped, and read back as written")
    func escaping() throws {
        let tricky = "A & B <c> \"d\" 'e' ]]> \t\r\n end"
        let bytes = try EdXMLStatusWriter.status(
            from: nghean, responseFor: original, code: .refused, description: tricky,
            staff: EdXMLStaff(staff: "<script>"), timestamp: stamp)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; ]]&gt;"))
        #expect(!text.contains("<script>"))
        #expect(try EdXMLReader.readHeader(bytes).statusDescription == tricky.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("Refused: codes the contract does not name, missing references, text XML cannot carry")
    func refusals() throws {
        let code07 = try #require(EdXMLStatusCode(rawValue: "07"))
        let seven = #expect(throws: EdXMLError.self) {
            try EdXMLStatusWriter.status(from: nghean, responseFor: original, code: code07,
                                         description: nil, staff: nil, timestamp: stamp)
        }
        #expect(seven?.description == "a status code DocRelay writes (01–06, 13, 15, 16), not 07")
        let noDocument = #expect(throws: EdXMLError.self) {
            try EdXMLStatusWriter.status(from: nghean, responseFor: EdXMLResponseFor(organId: "000.00.00.G22"),
                                         code: .received, description: nil, staff: nil, timestamp: stamp)
        }
        #expect(noDocument?.description.hasPrefix("no ResponseFor/DocumentId to write") == true)
        let noOrgan = #expect(throws: EdXMLError.self) {
            try EdXMLStatusWriter.status(from: nghean, responseFor: EdXMLResponseFor(documentId: "d"),
                                         code: .received, description: nil, staff: nil, timestamp: stamp)
        }
        #expect(noOrgan?.description.hasPrefix("no ResponseFor/OrganId to write") == true)
        let control = #expect(throws: EdXMLError.self) {
            try EdXMLStatusWriter.status(from: nghean, responseFor: original, code: .received,
                                         description: "bell \u{7}", staff: nil, timestamp: stamp)
        }
        #expect(control?.description == "Description: text XML cannot carry (character U+7)")
    }

    @Test("Vietnam time is UTC+7, across midnight and year ends")
    func vietnamTime() {
        #expect(EdXMLStatusWriter.vietnamTime(Date(timeIntervalSince1970: 0)) == "1970/01/01 07:00:00")
        // 2026-12-31T17:30:00Z is already the new year in Hà Nội.
        #expect(EdXMLStatusWriter.vietnamTime(Date(timeIntervalSince1970: 1_798_738_200)) == "2027/01/01 00:30:00")
        #expect(EdXMLStatusWriter.vietnamTime(stamp) == "2015/09/20 11:08:36")
    }
}
