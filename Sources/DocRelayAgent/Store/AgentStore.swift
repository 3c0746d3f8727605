import Foundation
import GRDB

/// The agent's durable state: a SQLite file (through GRDB) in its state folder. What is sent,
/// until the broker acknowledged it and after (acks, statuses); what was received, so that
/// nothing is delivered twice. Every write is a committed transaction before it returns.
final class AgentStore: Sendable {
    /// Internal for the store's extensions by topic (`AgentStore+SDK.swift`).
    let database: DatabaseQueue
    /// The SQLite file.
    let path: String

    /// Opens (or creates) `agent.sqlite` in `folder`.
    init(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = (folder as NSString).appendingPathComponent("agent.sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL: one fsync per commit instead of several; synchronous stays FULL, so a committed
        // write survives a power loss, not only a crash.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "outgoing") { table in
                table.primaryKey("id", .text)
                table.column("source", .text).notNull()
                table.column("fileName", .text)
                table.column("sha256", .text).notNull()
                table.column("headers", .text).notNull()
                table.column("value", .blob)
                table.column("kind", .text).notNull()
                table.column("recipients", .text).notNull()
                table.column("ref", .text).notNull()
                table.column("state", .text).notNull()
                table.column("archived", .boolean).notNull()
                table.column("createdAt", .text).notNull()
                table.column("publishedAt", .text)
                table.column("topic", .text)
                table.column("partition", .integer)
                table.column("offset", .integer)
                table.column("attempts", .integer).notNull()
                table.column("lastError", .text)
            }
            try db.create(index: "outgoing_file", on: "outgoing", columns: ["fileName", "archived"])
            try db.create(table: "acks") { table in
                table.column("ref", .text).notNull()
                table.column("recipient", .text).notNull()
                table.column("outcome", .text).notNull()
                table.column("reason", .text)
                table.column("hub", .text).notNull()
                table.column("at", .text).notNull()
                table.column("receivedAt", .text).notNull()
                table.primaryKey(["ref", "recipient", "outcome", "hub"])
            }
            try db.create(table: "statuses") { table in
                table.primaryKey("id", .text)
                table.column("ref", .text).notNull().indexed()
                table.column("direction", .text).notNull()
                table.column("fromCode", .text).notNull()
                table.column("toCode", .text).notNull()
                table.column("code", .text).notNull()
                table.column("statusDescription", .text)
                table.column("at", .text).notNull()
            }
            try db.create(table: "incoming") { table in
                table.primaryKey("id", .text)
                table.column("kind", .text).notNull()
                table.column("fromCode", .text).notNull()
                table.column("ref", .text).notNull()
                table.column("contentType", .text).notNull()
                table.column("sha256", .text).notNull()
                table.column("receivedAt", .text).notNull()
                table.column("state", .text).notNull()
                table.column("inboxFile", .text)
                table.column("webhookAttempts", .integer).notNull()
                table.column("webhookError", .text)
                table.column("parkedFile", .text)
                table.column("reason", .text)
                table.column("receivedStatusSent", .boolean).notNull()
            }
        }
        // Which API client sent a document, so that no other client reads it.
        migrator.registerMigration("outgoing-client") { db in
            try db.alter(table: "outgoing") { table in table.add(column: "client", .text) }
        }
        // Issue 12: a received record is known by its sender and its id (two agencies may use one
        // id), with its edXML business id and message type (an update keeps the DocumentId).
        migrator.registerMigration("incoming-by-sender") { db in
            try db.create(table: "incoming_by_sender") { table in
                table.column("id", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("fromCode", .text).notNull()
                table.column("ref", .text).notNull()
                table.column("contentType", .text).notNull()
                table.column("sha256", .text).notNull()
                table.column("receivedAt", .text).notNull()
                table.column("state", .text).notNull()
                table.column("inboxFile", .text)
                table.column("webhookAttempts", .integer).notNull()
                table.column("webhookError", .text)
                table.column("parkedFile", .text)
                table.column("reason", .text)
                table.column("receivedStatusSent", .boolean).notNull()
                table.column("businessId", .text)
                table.column("messageType", .text)
                table.primaryKey(["fromCode", "id"])
            }
            try db.execute(sql: """
                INSERT INTO incoming_by_sender (id, kind, fromCode, ref, contentType, sha256, receivedAt, state, inboxFile,
                    webhookAttempts, webhookError, parkedFile, reason, receivedStatusSent)
                SELECT id, kind, fromCode, ref, contentType, sha256, receivedAt, state, inboxFile,
                    webhookAttempts, webhookError, parkedFile, reason, receivedStatusSent FROM incoming
                """)
            try db.drop(table: "incoming")
            try db.rename(table: "incoming_by_sender", to: "incoming")
            try db.create(index: "incoming_id", on: "incoming", columns: ["id"])
            try db.create(index: "incoming_business", on: "incoming", columns: ["fromCode", "businessId"])
        }
        // Issue 14: what the SDK's clients read (documents and statuses received, kept with their
        // bytes until `updateStatus done`) and what they sent (their ids, title and notation).
        migrator.registerMigration("sdk-mailbox") { db in
            try db.create(table: "sdk_received") { table in
                table.primaryKey("sdkId", .text)
                table.column("fromCode", .text).notNull()
                table.column("id", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("toCodes", .text).notNull()
                table.column("value", .blob).notNull()
                table.column("receivedAt", .text).notNull()
                table.column("updatedAt", .text).notNull()
                table.column("state", .text).notNull()
                table.column("statusDescription", .text)
            }
            try db.create(index: "sdk_received_listed", on: "sdk_received", columns: ["kind", "state"])
            try db.create(table: "sdk_sent") { table in
                table.primaryKey("sdkId", .text)
                table.column("id", .text).notNull().unique()
                table.column("system", .text).notNull()
                table.column("messageType", .text).notNull()
                table.column("title", .text).notNull()
                table.column("notation", .text).notNull()
                table.column("createdAt", .text).notNull()
            }
        }
        return migrator
    }

    // MARK: Outgoing

    /// Records a document taken for sending. Throws ``DuplicateDocument`` when its id was taken
    /// by another document before.
    func insert(_ record: OutgoingRecord) async throws {
        try await database.write { db in
            if let existing = try OutgoingRecord.fetchOne(db, key: record.id) {
                throw DuplicateDocument(id: record.id, existing: existing)
            }
            try record.insert(db)
        }
    }

    /// Records a document unless one with its id exists (a status re-made after a restart).
    func insertIfAbsent(_ record: OutgoingRecord) async throws -> OutgoingRecord {
        try await database.write { db in
            if let existing = try OutgoingRecord.fetchOne(db, key: record.id) { return existing }
            try record.insert(db)
            return record
        }
    }

    func outgoing(id: String) async throws -> OutgoingRecord? {
        try await database.read { db in try OutgoingRecord.fetchOne(db, key: id) }
    }

    /// The document recorded under `id` if it is in `state` now.
    func outgoing(id: String, state: OutgoingRecord.State) async throws -> OutgoingRecord? {
        try await database.read { db in
            try OutgoingRecord.filter(Column("id") == id && Column("state") == state.rawValue).fetchOne(db)
        }
    }

    /// The spool document taken from `fileName` whose file is still in `outbox/`.
    func unarchivedOutgoing(fileName: String) async throws -> OutgoingRecord? {
        try await database.read { db in
            try OutgoingRecord.filter(Column("fileName") == fileName && Column("archived") == false).fetchOne(db)
        }
    }

    /// Documents without a file not yet acknowledged by the broker (HTTP, statuses).
    func queuedWithoutFile() async throws -> [OutgoingRecord] {
        try await database.read { db in
            try OutgoingRecord.filter(Column("state") == OutgoingRecord.State.queued.rawValue && Column("fileName") == nil)
                .order(Column("createdAt")).fetchAll(db)
        }
    }

    /// The ids of `queuedWithoutFile()`, oldest first, without their bytes: each is read when it
    /// is published, so that a backlog of large documents is never in memory at once.
    func queuedIDsWithoutFile() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT id FROM outgoing WHERE state = ? AND fileName IS NULL ORDER BY createdAt",
                arguments: [OutgoingRecord.State.queued.rawValue])
        }
    }

    /// The broker acknowledged it: where it is. A value held for it is no longer needed.
    func markPublished(id: String, topic: String, partition: Int, offset: Int64, at: String) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE outgoing SET state = 'published', topic = ?, partition = ?, "offset" = ?, publishedAt = ?,
                      value = NULL, lastError = NULL, archived = CASE WHEN fileName IS NULL THEN 1 ELSE archived END
                    WHERE id = ?
                    """,
                arguments: [topic, partition, offset, at, id])
        }
    }

    /// How many documents wait for the broker's acknowledgement.
    func queuedCount() async throws -> Int {
        try await database.read { db in
            try OutgoingRecord.filter(Column("state") == OutgoingRecord.State.queued.rawValue).fetchCount(db)
        }
    }

    /// A spool document whose file was replaced or removed before the broker acknowledged it.
    func markWithdrawn(id: String) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE outgoing SET state = 'withdrawn', archived = 1 WHERE id = ? AND state = 'queued'", arguments: [id])
        }
    }

    /// Spool documents taken and not yet in `sent/`.
    func unarchivedSpoolDocuments() async throws -> [OutgoingRecord] {
        try await database.read { db in
            try OutgoingRecord.filter(Column("fileName") != nil && Column("archived") == false).fetchAll(db)
        }
    }

    func markArchived(id: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE outgoing SET archived = 1 WHERE id = ?", arguments: [id])
        }
    }

    func markPublishFailed(id: String, error: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE outgoing SET attempts = attempts + 1, lastError = ? WHERE id = ?", arguments: [error, id])
        }
    }

    // MARK: Acks and statuses

    func record(_ ack: AckRecord) async throws {
        try await database.write { db in try ack.insert(db, onConflict: .ignore) }
    }

    func acks(ref: String) async throws -> [AckRecord] {
        try await database.read { db in
            try AckRecord.filter(Column("ref") == ref).order(Column("at"), Column("recipient")).fetchAll(db)
        }
    }

    func record(_ status: StatusRecord) async throws {
        try await database.write { db in try status.insert(db, onConflict: .ignore) }
    }

    func statuses(ref: String) async throws -> [StatusRecord] {
        try await database.read { db in
            try StatusRecord.filter(Column("ref") == ref).order(Column("at"), Column("id")).fetchAll(db)
        }
    }

    // MARK: Incoming

    /// The record `from` sent under `id` (a transport identity: contract, "Transport identity").
    func incoming(from: String, id: String) async throws -> IncomingRecord? {
        try await database.read { db in try IncomingRecord.fetchOne(db, key: ["fromCode": from, "id": id]) }
    }

    /// Every received record with `id`, whoever sent it (oldest first), or only `from`'s.
    func incoming(id: String, from: String? = nil) async throws -> [IncomingRecord] {
        try await database.read { db in
            var request = IncomingRecord.filter(Column("id") == id)
            if let from { request = request.filter(Column("fromCode") == from) }
            return try request.order(Column("receivedAt")).fetchAll(db)
        }
    }

    /// The messages `from` sent about the business document `businessId` (its new document,
    /// updates, replacements, revocations), oldest first.
    func incoming(from: String, businessId: String) async throws -> [IncomingRecord] {
        try await database.read { db in
            try IncomingRecord.filter(Column("fromCode") == from && Column("businessId") == businessId)
                .order(Column("receivedAt")).fetchAll(db)
        }
    }

    func save(_ record: IncomingRecord) async throws {
        try await database.write { db in try record.save(db) }
    }

    func markReceivedStatusSent(from: String, id: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE incoming SET receivedStatusSent = 1 WHERE fromCode = ? AND id = ?", arguments: [from, id])
        }
    }

    /// Received documents whose webhook delivery was given up.
    func parkedIncoming() async throws -> [IncomingRecord] {
        try await database.read { db in
            try IncomingRecord.filter(Column("state") == IncomingRecord.State.webhookFailed.rawValue).fetchAll(db)
        }
    }
}

/// A document whose id another document already had.
struct DuplicateDocument: Error, Sendable, CustomStringConvertible {
    let id: String
    let existing: OutgoingRecord

    var description: String {
        "the id \(id) was already used by a document taken on \(existing.createdAt)"
            + (existing.fileName.map { " from \($0)" } ?? "") + ": a new document needs a new id"
    }
}
