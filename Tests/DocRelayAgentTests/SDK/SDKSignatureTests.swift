@testable import DocRelayAgent
import Foundation
import Testing

@Suite("SDK requests: the HMAC over the sign header as received, quirks tolerated, every refusal named")
struct SDKSignatureTests {
    @Test("A request signed with the system's secret is accepted and its signed values are read")
    func accepted() throws {
        let request = try SDKTestRequests.request([("docId", "0123456789abcdef01234567"), ("status", "done")])
        #expect(request.system.id == "000.00.00.G22")
        #expect(request.parameter("docid") == "0123456789abcdef01234567")
        #expect(request.parameter("STATUS") == "done")
    }

    @Test("The sign header is verified as received, in any key order and spacing, never re-serialised")
    func asReceived() throws {
        let json = #"{ "XroadVnpt-systemid" : "000.00.00.G22",  "XroadVnpt-timestamp":"01122026T090000+0123", "XroadVnpt-docId":"abc" }"#
        let request = try SDKTestRequests.authenticate(SDKTestRequests.headers([], signJSON: json)).get()
        #expect(request.parameter("docId") == "abc")
    }

    @Test("Accumulated keys from earlier calls and a timestamp frozen long ago are accepted")
    func quirks() throws {
        var headers = SDKTestRequests.headers([
            ("from", "000.00.00.G22"), ("hash-file", "ab"), ("docId", "x"), ("filePath", "/tmp/in"), ("status", "done"),
            ("messagetype", "status"),
        ])
        headers["xroadvnpt-timestamp"] = "01011970T000000+0000"  // unsigned header values are never read
        let request = try SDKTestRequests.authenticate(headers).get()
        #expect(request.parameter("messagetype") == "status")
    }

    @Test("A wrong secret is refused with an ASCII reason naming the system")
    func wrongSecret() {
        let result = SDKTestRequests.authenticate(SDKTestRequests.headers([("docId", "x")], secret: "not-the-secret"))
        guard case .failure(let failure) = result else { Issue.record("accepted"); return }
        #expect(failure.reason.contains("signature does not verify for system 000.00.00.G22"))
        #expect(failure.reason.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test("A value altered after signing is refused")
    func altered() {
        var headers = SDKTestRequests.headers([("docId", "x")])
        headers["xroadvnpt-sign-header"] = headers["xroadvnpt-sign-header"]?.replacingOccurrences(of: "\"x\"", with: "\"y\"")
        guard case .failure(let failure) = SDKTestRequests.authenticate(headers) else { Issue.record("accepted"); return }
        #expect(failure.reason.contains("signature does not verify"))
    }

    @Test("An unknown system id, a missing systemid, a missing hash header: each refused with its reason")
    func refusals() {
        let unknown = SDKTestRequests.authenticate(SDKTestRequests.headers([], systemID: "000.00.00.H99"))
        #expect(unknown.failureReason == "unknown system id 000.00.00.H99: not registered with this agent")
        var noSystem = SDKTestRequests.headers([])
        noSystem["xroadvnpt-systemid"] = nil
        #expect(SDKTestRequests.authenticate(noSystem).failureReason == "missing header XroadVnpt-systemid")
        var noHash = SDKTestRequests.headers([])
        noHash["xroadvnpt-hash-header"] = nil
        #expect(SDKTestRequests.authenticate(noHash).failureReason?.contains("XroadVnpt-hash-header") == true)
    }

    @Test("A signed systemid other than the header's is refused (a secret of one system cannot speak for another)")
    func systemMismatch() {
        let other = AgentConfiguration.System(id: "other", secret: Array("c2VjcmV0LWcyMg==".utf8), maySendAs: [])
        let json = #"{"XroadVnpt-systemid":"000.00.00.G22"}"#
        var headers = SDKTestRequests.headers([], systemID: "other", signJSON: json)
        headers["xroadvnpt-systemid"] = "other"
        let result = SDKTestRequests.authenticate(headers, systems: [SDKTestRequests.system, other])
        #expect(result.failureReason == "the signed systemid is not the XroadVnpt-systemid header other")
    }
}

extension Result where Failure == SDKFailure {
    var failureReason: String? {
        if case .failure(let failure) = self { return failure.reason }
        return nil
    }
}
