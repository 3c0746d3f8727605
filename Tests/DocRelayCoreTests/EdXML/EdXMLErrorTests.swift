import DocRelayCore
import DocRelayTestSupport
import Foundation
import Testing

private func refusal(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) -> EdXMLError? {
    #expect(throws: EdXMLError.self, sourceLocation: sourceLocation) { try EdXMLReader.readHeader(Array(xml.utf8)) }
}

private func messageHeader(_ inner: String) -> String {
    "<edXML><edXMLEnvelope><edXMLHeader>\n<MessageHeader>\n\(inner)\n</MessageHeader>\n</edXMLHeader></edXMLEnvelope></edXML>"
}

@Suite("edXML reader: what is wrong, named")
struct EdXMLErrorTests {
    @Test("Not XML at all, mismatched tags, a truncated document, an empty one")
    func notXML() throws {
        #expect(refusal("")?.description == "not XML: no element at all")
        #expect(refusal("%PDF-1.7 binary")?.message.hasPrefix(#"content before the root element at byte 0 ("%PDF-1.7 binary")"#) == true)
        #expect(refusal("<edXML>\n<MessageHeader>\n</edXML>")?.description == "not XML: an end tag that does not match its start tag at line 3")
        let truncated = try Fixtures.bytes(Fixtures.edocToThree).prefix(9_000)
        let error = #expect(throws: EdXMLError.self) { try EdXMLReader.readHeader(Array(truncated)) }
        #expect(error?.message.hasPrefix("not XML: ") == true)
        #expect(error?.line != nil)
    }

    @Test("No MessageHeader, or two")
    func messageHeaders() {
        #expect(refusal("<edXML><From><OrganId>000.00.00.G22</OrganId></From></edXML>")?.description == "no MessageHeader")
        let two = "<edXML>" + messageHeader("<From><OrganId>a</OrganId></From><To><OrganId>b</OrganId></To>")
            + "<MessageHeader/></edXML>"
        #expect(refusal(two)?.message == "more than one MessageHeader")
    }

    @Test("No sender; an edoc with no recipient; a status about nothing")
    func missingParties() {
        #expect(refusal(messageHeader("<To><OrganId>000.00.00.H58</OrganId></To>"))?.description == "no From/OrganId")
        #expect(refusal(messageHeader("<From><OrganId> </OrganId></From><To><OrganId>x</OrganId></To>"))?.description == "no From/OrganId")
        #expect(refusal(messageHeader("<From><OrganId>000.00.00.G22</OrganId></From>"))?.description == "no To/OrganId")
        #expect(refusal(messageHeader("<From><OrganId>000.00.00.G22</OrganId></From><To><OrganId/></To>"))?.description == "an empty To/OrganId")
        #expect(refusal(messageHeader("<From><OrganId>000.00.00.H41</OrganId></From><StatusCode>01</StatusCode>"))?
            .description == "no ResponseFor in a status (StatusCode 01)")
    }

    @Test("A field given twice, a status code out of range, an over-long field")
    func fields() {
        #expect(refusal(messageHeader("<From><OrganId>a</OrganId></From>\n<From><OrganId>b</OrganId></From>"))?
            .description == "more than one From/OrganId at line 4")
        #expect(refusal(messageHeader("<From><OrganId>a</OrganId></From><StatusCode>17</StatusCode>"))?
            .message == "StatusCode: expected a two-digit code from 01 to 16, not '17'")
        let long = String(repeating: "x", count: 70_000)
        #expect(refusal(messageHeader("<From><OrganId>a</OrganId></From><Subject>\(long)</Subject>"))?
            .message == "Subject longer than 65536 bytes")
    }

    @Test("Entity expansion bombs end quickly with an error, never a hang: the DTD is refused before parsing")
    func billionLaughs() {
        var dtd = "<!ENTITY a0 \"lol\">"
        for level in 1...12 { dtd += "<!ENTITY a\(level) \"" + String(repeating: "&a\(level - 1);", count: 10) + "\">" }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE edXML [\(dtd)]>" + messageHeader("<From><OrganId>&a12;</OrganId></From>")
        var error: EdXMLError?
        let elapsed = measure { error = refusal(xml) }
        #expect(error?.message == "edXML must not declare a DTD (<!DOCTYPE found at byte 21)")
        #expect(elapsed < .seconds(5))
    }

    @Test("A file that cannot be opened")
    func missingFile() {
        let error = #expect(throws: EdXMLError.self) {
            try EdXMLReader.readHeader(contentsOf: URL(fileURLWithPath: "/nonexistent/doc.edxml"))
        }
        #expect(error?.message.contains("/nonexistent/doc.edxml") == true)
    }
}
