import DocRelayCore
import Testing

@Suite("Agency codes: strict QCVN 102:2016 parsing and other identifiers")
struct AgencyCodeParsingTests {
    @Test("QCVN codes parse and say so", arguments: ["000.00.00.G22", "000.00.32.H53", "000.21.32.H53", "123.45.67.Z99"])
    func qcvn(_ text: String) throws {
        let code = try AgencyCode.qcvn(text)
        #expect(code.rawValue == text)
        #expect(code.isQCVN)
        #expect(code.description == text)
        #expect(try AgencyCode(parsing: text) == code)
    }

    @Test("Malformed QCVN codes are refused with what was expected", arguments: [
        "", "000.00.00.g22", "00.00.00.G22", "000.0.00.G22", "000.00.00.G2", "000.00.00.G222", "000.00.00.22G",
        "000-00-00-G22", " 000.00.00.G22", "000.00.00.G22 ", "000.00.00.Đ22", "ABC.00.00.G22", "000.00.00.G22\n",
    ])
    func strictQCVN(_ text: String) {
        let error = #expect(throws: AgencyCodeError.self) { try AgencyCode.qcvn(text) }
        #expect(error?.text == text)
        #expect(error?.description.hasPrefix(
            "expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, not '") == true)
    }

    @Test("Other identifiers are accepted by syntax, not as QCVN", arguments: [
        "vxp.saas.03", "a", "0", "test-unit_1", "x.y", String(repeating: "a", count: 64),
    ])
    func otherIdentifiers(_ text: String) throws {
        let code = try AgencyCode(parsing: text)
        #expect(!code.isQCVN)
        #expect(code.defaultParent == nil)
        #expect(code.levelOneBody == text)
        #expect(throws: AgencyCodeError.self) { try AgencyCode.qcvn(text) }
    }

    @Test("Texts that are neither are refused, naming both forms", arguments: [
        "", "Vxp.saas.03", "vxp.saas.", ".vxp", "-a", "a b", "a,b", "hub:national", String(repeating: "a", count: 65),
        "văn-phòng", "a/b",
    ])
    func neither(_ text: String) {
        let error = #expect(throws: AgencyCodeError.self) { try AgencyCode(parsing: text) }
        #expect(error?.description.contains("or an identifier such as vxp.saas.03") == true)
    }

    @Test("A text shaped like a QCVN code is read as one, never as another identifier", arguments: [
        "000.00.32.h53", "000.00.32.53", "000.00.32.", "0.0.0.h53",
    ])
    func qcvnShaped(_ text: String) {
        let error = #expect(throws: AgencyCodeError.self) { try AgencyCode(parsing: text) }
        #expect(error?.expected == "a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22")
        #expect(error?.description == "expected a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, not '\(text)'")
    }

    @Test("Error messages escape control characters and cut long input")
    func errorQuoting() {
        let error = #expect(throws: AgencyCodeError.self) { try AgencyCode(parsing: "bad\ncode" + String(repeating: "x", count: 200)) }
        let description = error?.description ?? ""
        #expect(description.contains("'bad\\ncode"))
        #expect(!description.contains("\n"))
        #expect(description.count < 400)
    }

    @Test("Codes order by their text")
    func ordering() throws {
        let codes = try ["000.00.32.H53", "000.00.00.G22", "vxp.saas.03", "000.00.00.H58"].map { try AgencyCode(parsing: $0) }
        #expect(codes.sorted().map(\.rawValue) == ["000.00.00.G22", "000.00.00.H58", "000.00.32.H53", "vxp.saas.03"])
    }
}
