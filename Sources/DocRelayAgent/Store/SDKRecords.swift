import DocRelaySigning
import Foundation
import GRDB

/// A document or status received, as the SDK's clients read it: kept with its bytes from
/// delivery until a client marks it `done` (then kept, no longer listed).
struct SDKReceivedRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sdk_received"

    /// What a client said of it with `updateStatus`; `waiting` until it says anything.
    enum State: String, Codable, Sendable, CaseIterable {
        case waiting, processing, done, fail
    }

    /// The id the SDK sees (``SDKDocumentID``).
    var sdkId: String
    var fromCode: String
    /// The transport id, `dr-id`.
    var id: String
    /// `edoc` or `status`.
    var kind: String
    /// Its recipients, comma-separated.
    var toCodes: String
    var value: Data
    var receivedAt: String
    var updatedAt: String
    var state: State
    /// The `description` given with the last `updateStatus`.
    var statusDescription: String?
}

/// A document sent through `sendEdoc`: the id its client was answered, and what
/// `getSentEdocList` shows of it beside the outgoing record.
struct SDKSentRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sdk_sent"

    var sdkId: String
    /// The transport id (`dr-id`), the key of the outgoing record.
    var id: String
    /// The system id that sent it.
    var system: String
    /// `edoc` or `status`.
    var messageType: String
    /// The edXML Subject, or `""`.
    var title: String
    /// The edXML Code (`12/QĐ-UBND`), or `""`.
    var notation: String
    var createdAt: String
}

/// The id the SDK's clients see for a document: 24 lowercase hex digits (as the shared hub's),
/// the start of SHA-256 over `<sender code>|<dr-id>`, since a record is known by its sender
/// and id (contract, "A record") and `dr-id`s may hold `/` and `#` while the client writes
/// `<docId>.edxml` files. The same document always gets the same id.
enum SDKDocumentID {
    static func of(from: String, id: String) -> String {
        String(SHA256Digest.hex(SHA256Digest.hash(Array("\(from)|\(id)".utf8))).prefix(24))
    }
}
