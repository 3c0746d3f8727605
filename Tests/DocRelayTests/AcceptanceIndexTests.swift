@testable import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation
import Testing

/// The acceptance ledger in memory (`AcceptanceIndex`): what it loads and learns, what it
/// claims, what expires, and that identities are scoped to their sender.
@Suite("The acceptance index: load, follow, expiry, sender-scoped identities")
struct AcceptanceIndexTests {
    static let start = RFC3339.parse("2026-12-01T08:00:00Z") ?? Date(timeIntervalSince1970: 0)
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"
    static let contentA = String(repeating: "ab", count: 32)
    static let contentB = String(repeating: "cd", count: 32)

    static func entry(
        from: String = g22, id: String = "doc-1", sha256: String = contentA, at: Date = start, offset: Int64 = 1
    ) -> AcceptanceEntry {
        AcceptanceEntry(
            from: from, id: id, sha256: sha256, at: RFC3339.format(at, fractionalDigits: 3), hub: "national",
            topic: "docrelay.out.\(from)", partition: 0, offset: offset)
    }

    @Test("Loaded entries are found by sender and id, with their content, time and place")
    func load() throws {
        var index = AcceptanceIndex(keep: .seconds(3600))
        let records = [Self.entry(id: "doc-1"), Self.entry(id: "doc-2", sha256: Self.contentB, offset: 2)]
            .map { $0.record(topics: TopicNames()) }
        for record in records {
            index.learn(try #require(AcceptanceEntry.decode(key: record.key, value: record.value)), now: Self.start)
        }
        #expect(index.count == 2)
        let first = try #require(index.first(from: Self.g22, id: "doc-2", now: Self.start))
        #expect(first.isContent(Self.contentB) && !first.isContent(Self.contentA))
        #expect(first.sha256Prefix == String(repeating: "cd", count: 16))
        #expect(first.at == Self.start && first.offset == 2 && first.partition == 0)
        #expect(index.first(from: Self.g22, id: "doc-3", now: Self.start) == nil)
        #expect(AcceptanceEntry.decode(key: Array("no-newline".utf8), value: records[0].value) == nil)
        #expect(AcceptanceEntry.decode(key: records[0].key, value: Array("{}".utf8)) == nil)
    }

    @Test("Following: another instance's entry is learnt; the earliest acceptance of an identity is kept")
    func follow() throws {
        var index = AcceptanceIndex(keep: .seconds(3600))
        #expect(index.claim(Self.entry(at: Self.start.addingTimeInterval(10), offset: 5), now: Self.start.addingTimeInterval(10)) == nil)
        // Another instance accepted it earlier (its entry arrives late): the earlier one counts.
        index.learn(Self.entry(at: Self.start, offset: 3), now: Self.start.addingTimeInterval(11))
        #expect(index.first(from: Self.g22, id: "doc-1", now: Self.start.addingTimeInterval(11))?.offset == 3)
        // Our own entry read back later changes nothing.
        index.learn(Self.entry(at: Self.start.addingTimeInterval(10), offset: 5), now: Self.start.addingTimeInterval(12))
        #expect(index.first(from: Self.g22, id: "doc-1", now: Self.start.addingTimeInterval(12))?.offset == 3)
        // A claim of a known identity returns the first and changes nothing.
        let claimed = index.claim(Self.entry(sha256: Self.contentB, offset: 9), now: Self.start.addingTimeInterval(13))
        #expect(claimed?.offset == 3 && claimed?.isContent(Self.contentA) == true)
        #expect(index.count == 1)
    }

    @Test("Entries older than keep no longer count, are not learnt, and are swept")
    func expiry() {
        var index = AcceptanceIndex(keep: .seconds(60))
        index.learn(Self.entry(id: "old", at: Self.start), now: Self.start)
        index.learn(Self.entry(id: "new", at: Self.start.addingTimeInterval(30)), now: Self.start.addingTimeInterval(30))
        let later = Self.start.addingTimeInterval(61)
        #expect(index.first(from: Self.g22, id: "old", now: later) == nil)
        #expect(index.first(from: Self.g22, id: "new", now: later) != nil)
        // An expired identity may be claimed anew.
        #expect(index.claim(Self.entry(id: "old", sha256: Self.contentB, at: later), now: later) == nil)
        #expect(index.first(from: Self.g22, id: "old", now: later)?.isContent(Self.contentB) == true)
        // An entry already expired when read is skipped.
        index.learn(Self.entry(id: "ancient", at: Self.start), now: later)
        #expect(index.first(from: Self.g22, id: "ancient", now: later) == nil)
        index.removeExpired(now: Self.start.addingTimeInterval(200))
        #expect(index.count == 0)
    }

    @Test("An entry takes 56 bytes of a dictionary bucket: a 16-byte key and a 40-byte value")
    func compact() {
        #expect(MemoryLayout<AcceptanceIndex.Key>.stride == 16)
        #expect(MemoryLayout<AcceptanceIndex.Stored>.stride == 40)
    }

    @Test("Two senders with one id are two identities; one sender's second content is seen")
    func senderScoped() {
        var index = AcceptanceIndex(keep: .seconds(3600))
        #expect(index.claim(Self.entry(from: Self.g22, id: "shared"), now: Self.start) == nil)
        #expect(index.claim(Self.entry(from: Self.h58, id: "shared", sha256: Self.contentB), now: Self.start) == nil)
        #expect(index.count == 2)
        #expect(index.first(from: Self.h58, id: "shared", now: Self.start)?.isContent(Self.contentB) == true)
        let again = index.claim(Self.entry(from: Self.g22, id: "shared", sha256: Self.contentB), now: Self.start)
        #expect(again?.isContent(Self.contentA) == true)
    }
}
