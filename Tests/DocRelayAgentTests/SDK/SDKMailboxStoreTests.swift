@testable import DocRelayAgent
import Foundation
import Testing

@Suite("The SDK's mailbox in the agent's store: kept until done, across reopening")
struct SDKMailboxStoreTests {
    static func item(_ id: String, kind: String = "edoc", at: String) -> SDKReceivedRecord {
        SDKReceivedRecord(
            sdkId: SDKDocumentID.of(from: "000.00.00.G22", id: id), fromCode: "000.00.00.G22", id: id, kind: kind,
            toCodes: "000.00.00.G01", value: Data(id.utf8), receivedAt: at, updatedAt: at, state: .waiting, statusDescription: nil)
    }

    @Test("Listed per kind, oldest first; a repeat changes nothing; fail stays listed; done leaves the list, not the store")
    func mailbox() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-mailbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try AgentStore(folder: folder)
        let first = Self.item("doc-1", at: "2026-12-01T01:00:00Z")
        try await store.addToMailbox(first)
        try await store.addToMailbox(Self.item("doc-2", at: "2026-12-01T02:00:00Z"))
        try await store.addToMailbox(Self.item("st-1", kind: "status", at: "2026-12-01T03:00:00Z"))
        var repeated = first
        repeated.value = Data("other".utf8)
        try await store.addToMailbox(repeated)

        let reopened = try AgentStore(folder: folder)
        #expect(try await reopened.mailbox(kind: "edoc").map(\.id) == ["doc-1", "doc-2"])
        #expect(try await reopened.mailbox(kind: "status").map(\.id) == ["st-1"])
        #expect(try await reopened.mailboxItem(sdkId: first.sdkId)?.value == Data("doc-1".utf8))

        try await reopened.setMailboxState(sdkId: first.sdkId, state: .fail, description: "disk full", at: "t")
        #expect(try await reopened.mailbox(kind: "edoc").first?.state == .fail)
        #expect(try await reopened.mailboxCount(kind: "edoc") == 2)
        try await reopened.setMailboxState(sdkId: first.sdkId, state: .done, description: nil, at: "t")
        #expect(try await reopened.mailbox(kind: "edoc").map(\.id) == ["doc-2"])
        #expect(try await reopened.mailboxCount(kind: "edoc") == 1)
        #expect(try await reopened.mailboxItem(sdkId: first.sdkId)?.state == .done)
    }
}
