import DocRelayCore
import Testing

@Suite("Agency codes: default parents and level-1 bodies")
struct AgencyCodeHierarchyTests {
    @Test("Default parent zeroes the leftmost non-zero group, up to the national hub")
    func defaultParents() throws {
        let commune = try AgencyCode.qcvn("000.21.32.H53")
        let district = try #require(commune.defaultParent)
        #expect(district.rawValue == "000.00.32.H53")
        let province = try #require(district.defaultParent)
        #expect(province.rawValue == "000.00.00.H53")
        #expect(province.defaultParent == nil)
        #expect(province.isLevelOne)
        #expect(!commune.isLevelOne)
    }

    @Test("The leftmost group is zeroed first, whichever it is", arguments: [
        ("001.21.32.H53", "000.21.32.H53"),
        ("001.00.32.H53", "000.00.32.H53"),
        ("000.21.00.H53", "000.00.00.H53"),
        ("000.00.01.G22", "000.00.00.G22"),
    ])
    func leftmostFirst(_ pair: (String, String)) throws {
        #expect(try AgencyCode.qcvn(pair.0).defaultParent?.rawValue == pair.1)
    }

    @Test("The level-1 body is the last group", arguments: [
        ("000.21.32.H53", "H53"), ("000.00.00.G22", "G22"), ("000.00.04.G14", "G14"),
    ])
    func levelOneBody(_ pair: (String, String)) throws {
        #expect(try AgencyCode.qcvn(pair.0).levelOneBody == pair.1)
    }
}
