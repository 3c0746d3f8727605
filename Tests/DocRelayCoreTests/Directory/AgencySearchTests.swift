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

    @Test("A national directory of 10,000 agencies: indexed once, each search answered from memory; results as with five")
    func tenThousandAgencies() throws {
        let provinces = ["Tiền Giang", "Tây Ninh", "Đắk Lắk", "Hà Nội", "Cần Thơ", "Quảng Ninh", "Thừa Thiên Huế"]
        let offices = ["Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "UBND huyện", "UBND xã", "Sở Nội vụ"]
        var yaml = "hubs:\n  - id: national\n    kafka: { bootstrap: \"k:9092\" }\nagencies:\n"
        for index in 0..<10_000 {
            let code = "000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"
            let name = index == 0
                ? "UBND tỉnh Tiền Giang"
                : "\(offices[index % offices.count]) \(index) tỉnh \(provinces[index % provinces.count])"
            yaml += "  - code: \"\(code)\"\n    name: \(name)\n"
        }
        let clock = ContinuousClock()
        var start = clock.now
        let store = DirectoryStore(try Directory.parse(yaml, path: "dir.yaml"), path: "dir.yaml")
        let loaded = clock.now - start
        start = clock.now
        _ = store.agencySearch
        let indexed = clock.now - start
        start = clock.now
        var found: [[Agency]] = []
        for query in ["tien giang", "so y te dak lak", "000.00.00.h58", "000.42", "UBND xã", "không có"] {
            for _ in 0..<10 { found.append(store.agencySearch.search(query, limit: 50)) }
        }
        let searched = (clock.now - start) / 60
        print("10,000 agencies: directory parsed in \(loaded), indexed in \(indexed), one search in \(searched) on average")
        // Bounds for a loaded machine, not measurements: the address book answers in milliseconds.
        #expect(searched < .milliseconds(500))
        let tienGiang = found[0]
        #expect(tienGiang.count == 50)
        #expect(tienGiang.first?.code.rawValue == "000.00.00.H58", "equal ranks by code")
        #expect(tienGiang.allSatisfy { AgencySearch.fold($0.name).contains("tien giang") })
        #expect(found[10].allSatisfy { AgencySearch.fold($0.name).hasPrefix("so y te") && $0.name.hasSuffix("Đắk Lắk") })
        #expect(found[10].count == 50)
        #expect(found[20].map(\.code.rawValue) == ["000.00.00.H58"])
        #expect(found[30].count == 50 && found[30].allSatisfy { $0.code.rawValue.hasPrefix("000.42.") })
        #expect(found[30].first?.code.rawValue == "000.42.00.H58")
        #expect(found[40].count == 50)
        #expect(found[50].isEmpty)
    }
}
