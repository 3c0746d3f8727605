/// An edXML status code: a recipient agency's processing state of a document. Any two-digit
/// code from 01 to 16 is read; DocRelay writes only those the contract names (`isWritable`).
public struct EdXMLStatusCode: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    /// The two digits, e.g. `01`.
    public let rawValue: String

    /// A two-digit code from `01` to `16`; `nil` otherwise.
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard bytes.count == 2, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let number = Int(bytes[0] - UInt8(ascii: "0")) * 10 + Int(bytes[1] - UInt8(ascii: "0"))
        guard (1...16).contains(number) else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    /// 01: received by the document-management software, not yet handled by the clerk.
    public static let received = EdXMLStatusCode(known: "01")
    /// 02: refused.
    public static let refused = EdXMLStatusCode(known: "02")
    /// 03: accepted and registered.
    public static let acceptedAndRegistered = EdXMLStatusCode(known: "03")
    /// 04: awaiting assignment.
    public static let awaitingAssignment = EdXMLStatusCode(known: "04")
    /// 05: being processed.
    public static let processing = EdXMLStatusCode(known: "05")
    /// 06: completed.
    public static let completed = EdXMLStatusCode(known: "06")
    /// 13: recall requested.
    public static let recallRequested = EdXMLStatusCode(known: "13")
    /// 15: recall or update agreed.
    public static let recallOrUpdateAgreed = EdXMLStatusCode(known: "15")
    /// 16: recall or update refused.
    public static let recallOrUpdateRefused = EdXMLStatusCode(known: "16")

    /// The codes DocRelay writes, in order.
    public static let writable: [EdXMLStatusCode] = [
        .received, .refused, .acceptedAndRegistered, .awaitingAssignment, .processing, .completed,
        .recallRequested, .recallOrUpdateAgreed, .recallOrUpdateRefused,
    ]

    /// Whether the contract names this code (01–06, 13, 15, 16), so DocRelay may write it.
    public var isWritable: Bool { Self.writable.contains(self) }

    /// The code's meaning, e.g. "received"; "status NN" for a code the contract does not name.
    public var name: String {
        switch rawValue {
        case "01": "received"
        case "02": "refused"
        case "03": "accepted and registered"
        case "04": "awaiting assignment"
        case "05": "processing"
        case "06": "completed"
        case "13": "recall requested"
        case "15": "recall/update agreed"
        case "16": "recall/update refused"
        default: "status \(rawValue)"
        }
    }

    public var description: String { "\(rawValue) (\(name))" }
}
