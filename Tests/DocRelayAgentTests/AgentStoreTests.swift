@testable import DocRelayAgent
import Foundation
import Testing

@Suite("The agent's SQLite store")
struct AgentStoreTests {
    func record(_ id: String, file: String? = nil) -> OutgoingRecord {
        OutgoingRecord(
            id: id, source: file == nil ? .http : .spool, fileName: file, sha256: "00", headers: "[]",
            value: file == nil ? Data([1, 2, 3]) : nil, kind: "edoc", recipients: "000.00.00.G01", ref: "", state: .queued,
            archived: false, createdAt: "2026-11-29T00:00:00Z", publishedAt: nil, topic: nil, partition: nil, offset: nil,
            attempts: 0, lastError: nil)
    }

    @Test("An id is taken once; what was taken survives reopening; published clears the value; withdrawn leaves the queue")
    func outgoing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try AgentStore(folder: folder)
        try await store.insert(record("a", file: "a.pdf"))
        await #expect(throws: DuplicateDocument.self) { try await store.insert(record("a")) }
        try await store.insert(record("h"))
        #expect(try await store.queuedCount() == 2)

        let reopened = try AgentStore(folder: folder)
        #expect(try await reopened.unarchivedOutgoing(fileName: "a.pdf")?.id == "a")
        #expect(try await reopened.queuedWithoutFile().map(\.id) == ["h"])
        #expect(try await reopened.queuedIDsWithoutFile() == ["h"])
        try await reopened.markPublished(id: "h", topic: "t", partition: 1, offset: 7, at: "now")
        let published = try #require(try await reopened.outgoing(id: "h"))
        #expect(published.state == .published && published.value == nil && published.archived && published.offset == 7)
        try await reopened.markWithdrawn(id: "a")
        #expect(try await reopened.queuedCount() == 0)
        #expect(try await reopened.unarchivedOutgoing(fileName: "a.pdf") == nil)
        // A status made again after a restart finds the first one.
        let first = try await reopened.insertIfAbsent(record("s"))
        var second = record("s")
        second.value = Data([9])
        #expect(try await reopened.insertIfAbsent(second) == first)
    }

    func received(_ id: String, from: String, sha256: String = "00", businessId: String? = nil, type: String? = nil, at: String) -> IncomingRecord {
        IncomingRecord(
            id: id, kind: "edoc", fromCode: from, ref: "", contentType: "application/edxml+xml", sha256: sha256, receivedAt: at,
            state: .delivered, inboxFile: nil, webhookAttempts: 0, webhookError: nil, parkedFile: nil, reason: nil,
            receivedStatusSent: false, businessId: businessId, messageType: type)
    }

    @Test("Received records are keyed by sender and id (issue 12): two senders' one id are two records; a business id links messages")
    func incomingBySender() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agent-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try AgentStore(folder: folder)
        try await store.save(received("x", from: "000.00.00.G22", sha256: "aa", at: "2026-11-30T00:00:01Z"))
        try await store.save(received("x", from: "000.00.00.G01", sha256: "bb", at: "2026-11-30T00:00:02Z"))
        #expect(try await store.incoming(from: "000.00.00.G22", id: "x")?.sha256 == "aa")
        #expect(try await store.incoming(from: "000.00.00.G01", id: "x")?.sha256 == "bb")
        #expect(try await store.incoming(id: "x").map(\.fromCode) == ["000.00.00.G22", "000.00.00.G01"])
        #expect(try await store.incoming(id: "x", from: "000.00.00.G01").count == 1)

        try await store.save(received("d", from: "000.00.00.G22", businessId: "d", type: "new", at: "2026-11-30T00:00:03Z"))
        try await store.save(received("d#update-1", from: "000.00.00.G22", businessId: "d", type: "update", at: "2026-11-30T00:00:04Z"))
        try await store.save(received("d", from: "000.00.00.G01", businessId: "d", type: "new", at: "2026-11-30T00:00:05Z"))
        let reopened = try AgentStore(folder: folder)
        #expect(try await reopened.incoming(from: "000.00.00.G22", businessId: "d").map(\.id) == ["d", "d#update-1"])
        try await reopened.markReceivedStatusSent(from: "000.00.00.G01", id: "x")
        #expect(try await reopened.incoming(from: "000.00.00.G01", id: "x")?.receivedStatusSent == true)
        #expect(try await reopened.incoming(from: "000.00.00.G22", id: "x")?.receivedStatusSent == false)
    }
}
