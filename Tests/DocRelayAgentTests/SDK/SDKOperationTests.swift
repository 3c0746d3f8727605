@testable import DocRelayAgent
import DocRelayCore
import DocRelaySigning
import Foundation
import Testing

/// An edXML document (or status packet, with `statusCode`) from `from`.
func sdkEdXML(from: String, to: [String], documentId: String? = "G22-2026-001", statusCode: String? = nil) -> [UInt8] {
    let recipients = to.map { "<edXML:To><edXML:OrganId>\($0)</edXML:OrganId></edXML:To>" }.joined()
    let status = statusCode.map {
        "<edXML:ResponseFor><edXML:OrganId>\(to.first ?? "")</edXML:OrganId><edXML:DocumentId>\(documentId ?? "")</edXML:DocumentId></edXML:ResponseFor>"
            + "<edXML:StatusCode>\($0)</edXML:StatusCode>"
    } ?? ""
    return Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
        <edXML:edXMLHeader><edXML:MessageHeader>
        <edXML:From><edXML:OrganId>\(from)</edXML:OrganId></edXML:From>\(statusCode == nil ? recipients : "")
        \(statusCode == nil ? (documentId.map { "<edXML:DocumentId>\($0)</edXML:DocumentId>" } ?? "") : "")
        <edXML:Code><edXML:CodeNumber>12</edXML:CodeNumber><edXML:CodeNotation>QĐ-UBND</edXML:CodeNotation></edXML:Code>
        <edXML:Subject>Quyết định</edXML:Subject>\(status)
        </edXML:MessageHeader></edXML:edXMLHeader>
        <edXML:edXMLBody/></edXML:edXMLEnvelope>
        """.utf8)
}

@Suite("sendEdoc's checks: what is sent, and each refusal before anything is signed")
struct SDKSendCheckTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"

    @Test("A document: the SDK's extra CRLF removed, recipients and sender from the edXML, the id left to the DocumentId")
    func document() throws {
        let file = sdkEdXML(from: Self.g22, to: [Self.h58])
        let request = try SDKTestRequests.request([
            ("from", Self.g22), ("servicetype", "eDoc"), ("messagetype", "edoc"),
            ("hash-file", SDKSendCheck.unpaddedHex(SHA256Digest.hash(file))),
        ])
        let plan = try SDKSendCheck.check(request, body: file + [0x0D, 0x0A]).get()
        #expect(plan.value == file)
        #expect(plan.kind == .edoc)
        #expect(plan.from == Self.g22)
        #expect(plan.recipients == [Self.h58])
        #expect(plan.id == nil)
        #expect(plan.title == "Quyết định")
        #expect(plan.notation == "12/QĐ-UBND")
    }

    @Test("The SDK's hash-file prints bytes without their leading zero")
    func unpaddedHex() {
        #expect(SDKSendCheck.unpaddedHex([0x0a, 0x00, 0xff, 0x10]) == "a0ff10")
    }

    @Test("A status packet: its recipient from ResponseFor, an id derived from the bytes (the same request, the same id)")
    func statusPacket() throws {
        let file = sdkEdXML(from: Self.g22, to: [Self.h58], statusCode: "03")
        let request = try SDKTestRequests.request([("messagetype", "status"), ("from", Self.g22)])
        let first = try SDKSendCheck.check(request, body: file + [0x0D, 0x0A]).get()
        let again = try SDKSendCheck.check(request, body: file + [0x0D, 0x0A]).get()
        #expect(first.kind == .status)
        #expect(first.recipients == [Self.h58])
        #expect(first.statusCode == .acceptedAndRegistered)
        #expect(first.id?.hasPrefix("sdk-status-") == true)
        #expect(first.id == again.id)
    }

    @Test("A from the system may not use, as parameter or in the edXML, is refused with the hub's words")
    func sender() throws {
        let file = sdkEdXML(from: Self.g22, to: [Self.h58])
        let byParameter = SDKSendCheck.check(try SDKTestRequests.request([("from", Self.h58)]), body: file)
        #expect(byParameter.failureReason == "Don vi gui 000.00.00.H58 khong dung voi ma da dang ky: 000.00.00.G22")
        let byEdXML = SDKSendCheck.check(try SDKTestRequests.request([]), body: sdkEdXML(from: Self.h58, to: [Self.g22]))
        #expect(byEdXML.failureReason?.hasPrefix("Don vi gui 000.00.00.H58 khong dung voi ma da dang ky") == true)
    }

    @Test("Malformed edXML, a messagetype that disagrees, a wrong hash-file, an empty body: refused, each with its reason")
    func malformed() throws {
        let request = try SDKTestRequests.request([("messagetype", "edoc")])
        #expect(SDKSendCheck.check(request, body: Array("<edXML:edXMLEnvelope".utf8)).failureReason?.hasPrefix("malformed edXML: ") == true)
        #expect(SDKSendCheck.check(request, body: [0x0D, 0x0A]).failureReason == "the body holds no edXML document")
        let status = sdkEdXML(from: Self.g22, to: [Self.h58], statusCode: "03")
        #expect(SDKSendCheck.check(request, body: status).failureReason?.hasPrefix("messagetype edoc but the edXML is a status packet") == true)
        let hashed = try SDKTestRequests.request([("hash-file", "abc")])
        #expect(SDKSendCheck.check(hashed, body: sdkEdXML(from: Self.g22, to: [Self.h58])).failureReason?.hasPrefix("hash-file abc") == true)
        let noRecipient = SDKSendCheck.check(try SDKTestRequests.request([]), body: sdkEdXML(from: Self.g22, to: []))
        #expect(noRecipient.failureReason?.hasPrefix("malformed edXML: no To/OrganId") == true)
    }
}

@Suite("The SDK's receiving loop: updateStatus, lists and ids")
struct SDKMailboxRulesTests {
    @Test("done ends the listing (and done again is OK); fail and processing stay listed; nothing but done after done")
    func updates() {
        #expect(SDKMailboxRules.update(.waiting, to: "done") == .success(.done))
        #expect(SDKMailboxRules.update(.done, to: "DONE") == .success(.done))
        #expect(SDKMailboxRules.update(.waiting, to: "fail") == .success(.fail))
        #expect(SDKMailboxRules.update(.fail, to: "processing") == .success(.processing))
        #expect(SDKMailboxRules.update(.done, to: "fail").failureReason == "the document was marked done before: it is no longer listed")
        #expect(SDKMailboxRules.update(.waiting, to: "read").failureReason == "status read is not done, fail or processing")
    }

    @Test("docId and docid both name the document; anything but 24 hex digits is refused")
    func documentIDs() throws {
        let id = SDKDocumentID.of(from: "000.00.00.G22", id: "000.00.00.G22,2026/11/29,12/QĐ-UBND")
        #expect(id.count == 24)
        #expect(SDKMailboxRules.documentID(try SDKTestRequests.request([("docid", id)])) == .success(id))
        #expect(SDKMailboxRules.documentID(try SDKTestRequests.request([("docId", "../../etc/passwd")])).failureReason?
            .hasPrefix("docId ../../etc/passwd is not an id") == true)
        #expect(SDKMailboxRules.documentID(try SDKTestRequests.request([])).failureReason == "missing parameter docId")
        #expect(SDKDocumentID.of(from: "000.00.00.H58", id: "x") != SDKDocumentID.of(from: "000.00.00.G22", id: "x"))
    }

    @Test("A listed item says its sender, recipients, times and state")
    func listItem() {
        let record = SDKReceivedRecord(
            sdkId: "0123456789abcdef01234567", fromCode: "000.00.00.G22", id: "x", kind: "edoc", toCodes: "000.00.00.H58",
            value: Data(), receivedAt: "2026-12-01T09:00:00Z", updatedAt: "2026-12-01T09:01:00Z", state: .fail,
            statusDescription: "disk full")
        #expect(SDKMailboxRules.listItem(record) == SDKAnswers.ReceivedItem(
            docId: "0123456789abcdef01234567", serviceType: "eDoc", messageType: "edoc", created_time: "2026-12-01T09:00:00Z",
            updated_time: "2026-12-01T09:01:00Z", from: "000.00.00.G22", to: "000.00.00.H58", status: "fail", status_desc: "disk full"))
    }

    @Test("A sent item per recipient: its latest business status (01 never over another), else its ack, else pending")
    func sentItems() {
        let sent = SDKSentRecord(
            sdkId: "0123456789abcdef01234567", id: "doc-1", system: "s", messageType: "edoc", title: "T", notation: "12/QĐ",
            createdAt: "2026-12-01T09:00:00Z")
        var outgoing = DocumentOutbox.record(
            SignedHeaders(
                id: "doc-1", kind: .edoc, from: "000.00.00.G22", to: ["000.00.00.H58", "000.00.00.H53", "000.00.00.G01", "000.00.00.G02"],
                created: "2026-12-01T09:00:00Z", createdDate: Date(), contentType: "application/edxml+xml", ref: "", sha256: "00",
                signature: ""),
            source: .sdk, fileName: nil, value: nil)
        outgoing.state = .published
        let items = SDKMailboxRules.sentItems(
            sent, outgoing: outgoing, agency: "000.00.00.G22",
            acks: [("000.00.00.H58", "delivered", nil, "t1"), ("000.00.00.H53", "failed", "recipient: unknown", "t2")],
            statuses: [("000.00.00.H58", "03", "Đã vào sổ", "t4"), ("000.00.00.H58", "01", nil, "t4"), ("000.00.00.G01", "01", nil, "t5")])
        #expect(items.map(\.toCode) == ["000.00.00.H58", "000.00.00.H53", "000.00.00.G01", "000.00.00.G02"])
        // 03 outranks a 01 of the same second; a 01 alone is the status.
        #expect(items.map(\.receiveStatus) == ["03", "failed", "01", "pending"])
        #expect(items[0].receiveStatusDesc == "accepted and registered: Đã vào sổ")
        #expect(items[1].receiveStatusDesc == "recipient: unknown")
        #expect(items.allSatisfy { $0.sendStatus == "published" && $0.senderDocId == sent.sdkId && $0.fromCode == "000.00.00.G22" })
    }
}
