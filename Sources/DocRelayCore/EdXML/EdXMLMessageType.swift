import Foundation

/// What an edXML message is to the document it carries (QCVN 102:2016,
/// `TraceHeaderList/Bussiness/BussinessDocType`): a new document, or a later revocation, update
/// or replacement of one. Only a new document has a new `MessageHeader/DocumentId`; the others
/// keep the original's, which is how the recipient links them to it.
public enum EdXMLMessageType: String, Sendable, Hashable, CaseIterable {
    /// `0`: a new document.
    case new
    /// `1`: the document is revoked (recalled, "thu hồi").
    case revocation
    /// `2`: the document is updated ("cập nhật").
    case update
    /// `3`: the document is replaced ("thay thế").
    case replacement

    /// The type a `BussinessDocType` value names; `new` when absent. Nil for a value QCVN 102
    /// does not define (the caller names it).
    public init?(businessDocType: String?) {
        switch businessDocType?.trimmingCharacters(in: .whitespacesAndNewlines) {
        case nil, "", "0": self = .new
        case "1": self = .revocation
        case "2": self = .update
        case "3": self = .replacement
        default: return nil
        }
    }

    /// The `BussinessDocType` value.
    public var businessDocType: String {
        switch self {
        case .new: "0"
        case .revocation: "1"
        case .update: "2"
        case .replacement: "3"
        }
    }

    /// The transport id (`dr-id`) of a message of this type about `documentId` whose value has
    /// the lowercase hex SHA-256 `sha256` (contract, "Transport identity"): the DocumentId for
    /// a new document; `<DocumentId>#<type>-<first 16 hex digits of the value's SHA-256>` for
    /// the others, so that each update, replacement or revocation is a message of its own, and
    /// the same one sent twice is recognised as a repeat.
    public func transportID(documentId: String, sha256: String) -> String {
        self == .new ? documentId : "\(documentId)#\(rawValue)-\(sha256.prefix(16))"
    }

    /// The business id and the message type a transport id names, read back from the form
    /// `transportID(documentId:sha256:)` writes: `<DocumentId>#<type>-<16 lowercase hex>`; any
    /// other id is its own business id, a new document.
    public static func reading(transportID id: String) -> (businessId: String, type: EdXMLMessageType) {
        guard let mark = id.lastIndex(of: "#") else { return (id, .new) }
        let suffix = id[id.index(after: mark)...]
        let parts = suffix.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let type = EdXMLMessageType(rawValue: String(parts[0])), type != .new,
              parts[1].count == 16, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }), mark != id.startIndex
        else { return (id, .new) }
        return (String(id[..<mark]), type)
    }
}

extension EdXMLHeader {
    /// The message's type (`new` when the header has no BussinessDocType); nil for a value QCVN
    /// 102 does not define.
    public var messageType: EdXMLMessageType? { EdXMLMessageType(businessDocType: businessDocType) }
}
