import Foundation
import GRDB

/// A document (or status) this agency sends: kept from the moment it is taken until the broker
/// has acknowledged it, with the signed headers it is published with, so that a restart
/// republishes the same record, never a second one with another id.
struct OutgoingRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "outgoing"

    /// Where it came from.
    enum Source: String, Codable, Sendable {
        case spool, http, status
        /// `sendEdoc` of the national hub SDK's API.
        case sdk
    }

    /// Queued until the broker acknowledged it, then published; withdrawn when its spool file
    /// was replaced or removed before that (its content is gone: nothing left to publish).
    enum State: String, Codable, Sendable {
        case queued, published, withdrawn
    }

    var id: String
    var source: Source
    /// The file's name in `outbox/` (spool documents).
    var fileName: String?
    var sha256: String
    /// The signed headers, as JSON (`[[name, value], ...]`).
    var headers: String
    /// The value, for documents that have no file (HTTP, statuses); cleared once published.
    var value: Data?
    var kind: String
    /// Recipients, comma-separated as `dr-to`.
    var recipients: String
    var ref: String
    var state: State
    /// Its spool file was moved to `sent/` (or it has none).
    var archived: Bool
    var createdAt: String
    var publishedAt: String?
    var topic: String?
    var partition: Int?
    var offset: Int64?
    var attempts: Int
    var lastError: String?
    /// The API client that sent it (`api.clients[].name`), when one did.
    var client: String? = nil

    var recipientCodes: [String] { recipients.split(separator: ",").map(String.init) }
}

/// A transport acknowledgement from a hub about a document this agency sent.
struct AckRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "acks"

    var ref: String
    var recipient: String
    var outcome: String
    var reason: String?
    var hub: String
    var at: String
    var receivedAt: String
}

/// A business status (edXML 01–16), received about what this agency sent or sent about what
/// it received.
struct StatusRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "statuses"

    enum Direction: String, Codable, Sendable {
        case received, sent
    }

    /// The status record's own `dr-id`.
    var id: String
    /// The document it is about.
    var ref: String
    var direction: Direction
    var fromCode: String
    var toCode: String
    var code: String
    var statusDescription: String?
    var at: String
}

/// A document (or status) received from the hub: recorded once delivered, so that a record read
/// again after a restart or a replay is not delivered twice.
struct IncomingRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "incoming"

    /// Delivered everywhere configured; refused by the end-to-end check; or parked because the
    /// webhook never accepted it.
    enum State: String, Codable, Sendable {
        case delivered, refused
        case webhookFailed = "webhook-failed"
    }

    var id: String
    var kind: String
    var fromCode: String
    var ref: String
    var contentType: String
    var sha256: String
    var receivedAt: String
    var state: State
    /// The file in the inbox folder, when there is one.
    var inboxFile: String?
    var webhookAttempts: Int
    var webhookError: String?
    /// Where a document refused or parked is kept, with a reason file beside it.
    var parkedFile: String?
    var reason: String?
    /// Status 01 was published to the sender (edoc only).
    var receivedStatusSent: Bool
    /// The edXML `MessageHeader/DocumentId` (the business id an update or revocation shares
    /// with its original); nil for other documents.
    var businessId: String? = nil
    /// The edXML message type (`new`, `update`, `replacement`, `revocation`); nil for others.
    var messageType: String? = nil
}
