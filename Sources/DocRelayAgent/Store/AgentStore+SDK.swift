import Foundation
import GRDB

/// The SDK's mailbox and its sent documents (migration `sdk-mailbox`).
extension AgentStore {
    /// Keeps a document or status received for the SDK's clients; a repeat (same sender and id)
    /// changes nothing.
    func addToMailbox(_ record: SDKReceivedRecord) async throws {
        try await database.write { db in try record.insert(db, onConflict: .ignore) }
    }

    /// What the SDK lists for `kind` (`edoc` or `status`): everything not marked `done`, oldest
    /// first, without the bytes.
    func mailbox(kind: String) async throws -> [SDKReceivedRecord] {
        try await database.read { db in
            try SDKReceivedRecord.filter(Column("kind") == kind && Column("state") != SDKReceivedRecord.State.done.rawValue)
                .order(Column("receivedAt"), Column("sdkId")).fetchAll(db)
        }
    }

    func mailboxCount(kind: String) async throws -> Int {
        try await database.read { db in
            try SDKReceivedRecord.filter(Column("kind") == kind && Column("state") != SDKReceivedRecord.State.done.rawValue).fetchCount(db)
        }
    }

    func mailboxItem(sdkId: String) async throws -> SDKReceivedRecord? {
        try await database.read { db in try SDKReceivedRecord.fetchOne(db, key: sdkId) }
    }

    func setMailboxState(sdkId: String, state: SDKReceivedRecord.State, description: String?, at: String) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE sdk_received SET state = ?, statusDescription = ?, updatedAt = ? WHERE sdkId = ?",
                arguments: [state.rawValue, description, at, sdkId])
        }
    }

    /// Records what `sendEdoc` sent; the first record of an id stays (a retried request).
    func recordSDKSent(_ record: SDKSentRecord) async throws {
        try await database.write { db in try record.insert(db, onConflict: .ignore) }
    }

    /// What `system` sent through `sendEdoc`, newest first, with each outgoing record.
    func sdkSent(system: String, messageType: String?, sdkId: String?) async throws -> [(SDKSentRecord, OutgoingRecord?)] {
        try await database.read { db in
            var request = SDKSentRecord.filter(Column("system") == system)
            if let messageType { request = request.filter(Column("messageType") == messageType) }
            if let sdkId { request = request.filter(Column("sdkId") == sdkId) }
            return try request.order(Column("createdAt").desc).fetchAll(db).map { ($0, try OutgoingRecord.fetchOne(db, key: $0.id)) }
        }
    }
}
