import DocRelayCore
import Testing

@Suite("edXML consistency: From/To agree with dr-from/dr-to")
struct EdXMLConsistencyTests {
    @Test("The fixtures agree with headers that say the same, in any order")
    func agreeing() throws {
        let edoc = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.edocToThree))
        try EdXMLConsistency.check(edoc, from: "000.00.00.G22", to: ["000.00.00.G17", "000.00.00.H41", "000.00.00.H14"])
        let status = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.status05))
        try EdXMLConsistency.check(status, from: "000.00.00.H41", to: ["000.00.00.G22"])
    }

    @Test("Another sender is named on both sides")
    func otherSender() throws {
        let edoc = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.edocToThree))
        let error = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(edoc, from: "000.00.00.H58", to: ["000.00.00.G17", "000.00.00.H41", "000.00.00.H14"])
        }
        #expect(error?.field == "From")
        #expect(error?.description == "edXML From/OrganId '000.00.00.G22' disagrees with dr-from '000.00.00.H58'")
    }

    @Test("Missing and extra recipients are each named")
    func otherRecipients() throws {
        let edoc = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.edocToThree))
        let missing = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(edoc, from: "000.00.00.G22", to: ["000.00.00.H41", "000.00.00.H14"])
        }
        #expect(missing?.field == "To")
        #expect(missing?.description == "edXML To/OrganId disagrees with dr-to (in the edXML but not in dr-to: '000.00.00.G17')")
        let both = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(edoc, from: "000.00.00.G22", to: ["000.00.00.H41", "000.00.00.H14", "000.00.00.H58"])
        }
        #expect(both?.description ==
            "edXML To/OrganId disagrees with dr-to (in the edXML but not in dr-to: '000.00.00.G17'; in dr-to but not in the edXML: '000.00.00.H58')")
    }

    @Test("A status without To is checked against the sender of the document it answers")
    func statusRecipients() throws {
        let status = try EdXMLReader.readHeader(Fixtures.bytes(Fixtures.status01))
        let error = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(status, from: "000.00.00.H41", to: ["000.00.00.H58"])
        }
        #expect(error?.description ==
            "edXML ResponseFor/OrganId disagrees with dr-to (in the edXML but not in dr-to: '000.00.00.G22'; in dr-to but not in the edXML: '000.00.00.H58')")
    }

    @Test("A header naming no one agrees with nothing")
    func empty() {
        let error = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(EdXMLHeader(), from: "000.00.00.G22", to: ["000.00.00.H58"])
        }
        #expect(error?.field == "From")
        let noTo = #expect(throws: EdXMLConsistencyError.self) {
            try EdXMLConsistency.check(EdXMLHeader(from: "000.00.00.G22"), from: "000.00.00.G22", to: ["000.00.00.H58"])
        }
        #expect(noTo?.description == "the edXML names no recipient (no To/OrganId)")
    }
}
