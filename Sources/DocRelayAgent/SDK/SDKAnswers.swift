import Foundation

/// The answers of the SDK's operations, with the field names and JSON types its client reads
/// (vxp-sdk-protocol.md, "Answers"): `status` (`OK`/`FAIL`), `ErrorCode` (`"0"` on success) and
/// `ErrorDesc` always present as strings, and each operation's own fields always present too
/// (a missing field leaves the caller's object full of nulls).
enum SDKAnswers {
    /// `updateStatus`, and every failure of an operation without fields of its own.
    struct Envelope: Encodable, Sendable {
        var status = "OK"
        var ErrorCode = "0"
        var ErrorDesc = ""

        init() {}

        init(_ failure: SDKFailure) {
            status = "FAIL"
            ErrorCode = failure.code
            ErrorDesc = failure.reason
        }
    }

    /// `sendEdoc`: `DocId` is `""` on failure.
    struct Sent: Encodable, Sendable {
        var status = "OK"
        var ErrorCode = "0"
        var ErrorDesc = ""
        var DocId: String
    }

    /// An item of `getReceivedEdocList`.
    struct ReceivedItem: Encodable, Sendable, Equatable {
        var docId: String
        var serviceType: String
        var messageType: String
        var created_time: String
        var updated_time: String
        var from: String
        var to: String
        var status: String
        var status_desc: String
    }

    /// An item of `getSentEdocList`.
    struct SentItem: Encodable, Sendable, Equatable {
        var serviceType: String
        var receiverDocId: String
        var toCode: String
        var receiveStatus: String
        var receiveStatusDesc: String
        var title: String
        var messageType: String
        var notation: String
        var receivedTime: String
        var sentTime: String
        var sendStatus: String
        var sendStatusDesc: String
        var senderDocId: String
        var fromCode: String
    }

    /// An item of `getAgenciesList`.
    struct AgencyItem: Encodable, Sendable {
        var id: String
        var pid: String
        var code: String
        var name: String
        var mail: String
        var oldCode: String
    }

    /// An item of `getSynchronizeUnit`: `version` an integer, `deleted` and `isAgency` booleans.
    struct UnitItem: Encodable, Sendable {
        var id: String
        var pid: String
        var code: String
        var name: String
        var mail: String
        var version: Int
        var centerCode: String
        var deleted: Bool
        var modifyDate: String
        var isAgency: Bool
    }

    /// An answer with a `data` field (lists, and `getEdoc`'s base64 text).
    struct WithData<Data: Encodable & Sendable>: Encodable, Sendable {
        var status = "OK"
        var ErrorCode = "0"
        var ErrorDesc = ""
        var data: Data
    }

    /// `countReceiveEdoc`, `countReceiveStatus`: `count` an integer.
    struct Count: Encodable, Sendable {
        var status = "OK"
        var ErrorCode = "0"
        var ErrorDesc = ""
        var count: Int
    }

    /// `value` as JSON in plain ASCII, without a byte order mark: every character beyond ASCII
    /// is written as a `\uXXXX` escape (UTF-16, a surrogate pair beyond the BMP). Done over
    /// JSONEncoder's output, since it has no such option: outside strings JSON is ASCII, so
    /// every non-ASCII scalar is inside a string, where the escape means the same character.
    static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return Array(#"{"status":"FAIL","ErrorCode":"1","ErrorDesc":"the answer could not be encoded"}"#.utf8)
        }
        return asciiEscaped(String(decoding: data, as: UTF8.self))
    }

    static func asciiEscaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
                continue
            }
            for unit in String(scalar).utf16 {
                bytes += Array(String(format: "\\u%04x", unit).utf8)
            }
        }
        return bytes
    }
}
