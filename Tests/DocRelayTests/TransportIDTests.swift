import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation
import Testing

@Suite("Transport ids of edXML messages: a new document, its updates, replacements and revocation (issue 12)")
struct TransportIDTests {
    /// An edXML document with `DocumentId` X and, when given, a BussinessDocType.
    static func edXML(type: String?, content: String = "Nội dung") -> [UInt8] {
        let trace = type.map {
            "<edXML:TraceHeaderList><edXML:Bussiness><edXML:BussinessDocType>\($0)</edXML:BussinessDocType></edXML:Bussiness></edXML:TraceHeaderList>"
        } ?? ""
        return Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader>
            <edXML:MessageHeader><edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From>
            <edXML:To><edXML:OrganId>000.00.00.H58</edXML:OrganId></edXML:To>
            <edXML:DocumentId>000.00.00.G22,2026/11/30,45/QĐ-UBND</edXML:DocumentId></edXML:MessageHeader>\(trace)
            </edXML:edXMLHeader><edXML:edXMLBody><edXML:Content>\(content)</edXML:Content></edXML:edXMLBody></edXML:edXMLEnvelope>
            """.utf8)
    }

    @Test("Type 0 or none: the DocumentId; 1, 2, 3: the DocumentId, the type and 16 hex of the value's SHA-256",
          arguments: [(String?.none, "new"), ("0", "new"), ("1", "revocation"), ("2", "update"), ("3", "replacement")])
    func derived(type: String?, name: String) throws {
        let value = Self.edXML(type: type)
        let signed = try DocumentSigner.headers(for: value, draft: DocumentDraft())
        let documentId = "000.00.00.G22,2026/11/30,45/QĐ-UBND"
        if name == "new" {
            #expect(signed.id == documentId)
        } else {
            #expect(signed.id == "\(documentId)#\(name)-\(SHA256Hex.of(value).prefix(16))")
        }
        #expect(try EdXMLReader.readHeader(value).messageType?.rawValue == name)
    }

    @Test("Two updates of one document are two messages; the same update twice is one")
    func distinct() throws {
        let first = try DocumentSigner.headers(for: Self.edXML(type: "2", content: "Bản sửa 1"), draft: DocumentDraft())
        let second = try DocumentSigner.headers(for: Self.edXML(type: "2", content: "Bản sửa 2"), draft: DocumentDraft())
        let again = try DocumentSigner.headers(for: Self.edXML(type: "2", content: "Bản sửa 1"), draft: DocumentDraft())
        #expect(first.id != second.id)
        #expect(first.id == again.id)
    }

    @Test("A BussinessDocType QCVN 102 does not define is refused, naming it")
    func unknownType() throws {
        #expect {
            _ = try DocumentSigner.headers(for: Self.edXML(type: "7"), draft: DocumentDraft())
        } throws: { error in
            "\(error)".contains("BussinessDocType is 7")
        }
    }

    @Test("A transport id read back: the business id and the message; any other id is its own business id, new")
    func readBack() throws {
        let documentId = "000.00.00.G22,2026/11/30,45/QĐ-UBND"
        for type in EdXMLMessageType.allCases {
            let id = type.transportID(documentId: documentId, sha256: String(repeating: "0a", count: 32))
            let read = EdXMLMessageType.reading(transportID: id)
            #expect(read.businessId == documentId && read.type == type, "\(id)")
        }
        for other in ["doc#1", "doc#update-0A0A0A0A0A0A0A0A", "doc#update-0a0a", "doc#new-0a0a0a0a0a0a0a0a", "#update-0a0a0a0a0a0a0a0a", "a#b#c"] {
            let read = EdXMLMessageType.reading(transportID: other)
            #expect(read.businessId == other && read.type == .new, "\(other)")
        }
    }
}
