@testable import DocRelayAgent
import DocRelayCore
import DocRelayTestSupport
import Foundation
import Testing

@Suite("SDK answers: ASCII JSON, every field present as the client reads it, the directory in one answer")
struct SDKAnswerTests {
    @Test("Vietnamese text is written as \\u escapes: the answer is plain ASCII and reads back the same")
    func ascii() throws {
        let failure = SDKFailure("Đơn vị gửi 000.00.00.H58 \u{1F600}")
        let bytes = SDKAnswers.json(SDKAnswers.Sent(status: "FAIL", ErrorCode: failure.code, ErrorDesc: failure.reason, DocId: ""))
        #expect(bytes.allSatisfy { $0 < 0x80 })
        #expect(bytes.first == UInt8(ascii: "{"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["ErrorDesc"] as? String == "Đơn vị gửi 000.00.00.H58 \u{1F600}")
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"\u0110"#))
    }

    @Test("A FAIL of sendEdoc carries status, ErrorCode, ErrorDesc and DocId, all strings")
    func failureFields() throws {
        let bytes = SDKAnswers.json(SDKAnswers.Sent(status: "FAIL", ErrorCode: "1", ErrorDesc: "x", DocId: ""))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["status", "ErrorCode", "ErrorDesc", "DocId"])
        #expect(object.values.allSatisfy { $0 is String })
        let count = try #require(
            try JSONSerialization.jsonObject(with: Data(SDKAnswers.json(SDKAnswers.Count(count: 3)))) as? [String: Any])
        #expect(count["count"] as? Int == 3)
        #expect(count["ErrorCode"] as? String == "0")
    }

    /// A directory of `count` agencies under one province, named as real ones are.
    static func directory(agencies count: Int) throws -> Directory {
        var yaml = "hubs:\n  - id: national\n    kafka: { bootstrap: \"k:9092\" }\nagencies:\n  - code: \"000.00.00.H58\"\n    name: UBND tỉnh Tiền Giang\n"
        for index in 1..<count {
            yaml += "  - code: \"000.\(String(format: "%02d", index % 100)).\(String(format: "%02d", index / 100 + 1)).H58\"\n"
                + "    name: UBND xã số \(index) tỉnh Tiền Giang\n"
        }
        return try Directory.parse(yaml, path: "dir.yaml")
    }

    @Test("getAgenciesList of a 2,000-agency directory: every agency, id/pid/code/name/mail/oldCode as strings, in well under a second")
    func agenciesList() throws {
        let directory = try Self.directory(agencies: 2_000)
        var bytes: [UInt8] = []
        let elapsed = measure {  // CPU time: the rest of the suite on the same cores does not add to it
            bytes = SDKAnswers.json(SDKAnswers.WithData(data: SDKDirectoryAnswers.agencies(directory)))
        }
        print("getAgenciesList of 2,000 agencies: \(bytes.count) bytes of ASCII JSON in \(elapsed)")
        #expect(elapsed < .seconds(1))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let data = try #require(object["data"] as? [[String: Any]])
        #expect(data.count == 2_000)
        #expect(data.allSatisfy { Set($0.keys) == ["id", "pid", "code", "name", "mail", "oldCode"] && $0.values.allSatisfy { $0 is String } })
        let commune = try #require(data.first { $0["code"] as? String == "000.01.01.H58" })
        #expect(commune["pid"] as? String == "000.00.01.H58" || commune["pid"] as? String == "000.00.00.H58")
        #expect(data.first?["name"] as? String == "UBND tỉnh Tiền Giang")
    }

    @Test("getSynchronizeUnit: version an integer, deleted and isAgency booleans, centerCode the home hub")
    func units() throws {
        let directory = try Self.directory(agencies: 3)
        let bytes = SDKAnswers.json(SDKAnswers.WithData(data: SDKDirectoryAnswers.units(directory)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let first = try #require((object["data"] as? [[String: Any]])?.first)
        #expect(first["version"] as? Int == 1)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""deleted":false"#) && text.contains(#""isAgency":true"#) && text.contains(#""version":1"#))
        #expect(first["isAgency"] as? Bool == true)
        #expect(first["centerCode"] as? String == "national")
    }
}
