import DocRelayCore
import Foundation
import Testing

@Suite("AgencySearch: the address book by code or name, accent- and case-insensitive")
struct AgencySearchTests {
    static let yaml = """
        hubs:
          - id: national
            kafka: { bootstrap: "k:9092" }
        agencies:
          - code: "000.00.00.H58"
            name: UBND tỉnh Tiền Giang
          - code: "000.00.00.H53"
            name: UBND tỉnh Tây Ninh
          - code: "000.00.00.G22"
            name: Văn phòng Chính phủ
          - code: "000.00.00.H29"
            name: UBND tỉnh Đắk Lắk
            former-codes: ["000.00.00.H27"]
            former-names: [UBND tỉnh Đắc Lắc]
          - code: "000.00.12.H58"
            name: Sở Tài chính tỉnh Tiền Giang
        """

    static func search() throws -> AgencySearch {
        AgencySearch(try Directory.parse(yaml, path: "dir.yaml"))
    }

    @Test("Folding drops case and diacritics, and đ/Đ become d")
    func folding() {
        #expect(AgencySearch.fold("UBND tỉnh  Tiền Giang") == "ubnd tinh tien giang")
        #expect(AgencySearch.fold("Đắk Lắk đường") == "dak lak duong")
        #expect(AgencySearch.fold("Văn phòng Chính phủ") == "van phong chinh phu")
    }

    @Test("'tien giang' finds the province first, then its department; other provinces are not found")
    func byNameWithoutAccents() throws {
        let found = try Self.search().search("tien giang").map(\.code.rawValue)
        #expect(found == ["000.00.00.H58", "000.00.12.H58"])
    }

    @Test("Words match in any order, accented or not; 'dak lak' finds Đắk Lắk")
    func wordsAndD() throws {
        let search = try Self.search()
        #expect(search.search("giang tiền").map(\.code.rawValue) == ["000.00.00.H58", "000.00.12.H58"])
        #expect(search.search("dak lak").map(\.code.rawValue) == ["000.00.00.H29"])
        #expect(search.search("ĐẮK").map(\.code.rawValue) == ["000.00.00.H29"])
        #expect(search.search("tinh ha noi").isEmpty)
    }

    @Test("By code: exact first, then prefixes; a former code or name finds the agency of today")
    func byCode() throws {
        let search = try Self.search()
        #expect(search.search("000.00.00.h58").map(\.code.rawValue) == ["000.00.00.H58"])
        #expect(search.search("000.00.00.H5").map(\.code.rawValue) == ["000.00.00.H53", "000.00.00.H58"])
        #expect(search.search("000.00.00.H27").map(\.code.rawValue) == ["000.00.00.H29"])
        #expect(search.search("dac lac").first?.formerNames == ["UBND tỉnh Đắc Lắc"])
    }

    @Test("The limit bounds the answer; an empty query lists every agency by code")
    func limits() throws {
        let search = try Self.search()
        #expect(search.search("", limit: 2).map(\.code.rawValue) == ["000.00.00.G22", "000.00.00.H29"])
        #expect(search.search("ubnd", limit: 100).count == 3)
    }

    @Test("A former code that is empty is refused when the directory loads, naming the key")
    func emptyFormerCode() {
        let yaml = Self.yaml + "\n    former-codes: [\"\"]\n"
        let error = #expect(throws: ConfigurationError.self) { try Directory.parse(yaml, path: "dir.yaml") }
        #expect(error?.description.contains("former-codes") == true)
    }
}
