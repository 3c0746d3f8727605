import DocRelayCore
import DocRelaySigning
import Foundation
import Synchronization

/// What the acceptance index remembers of a record accepted first: enough to tell a replay
/// from a conflict and to say when and where the first was read.
struct FirstAcceptance: Sendable, Equatable {
    /// The first 16 bytes of its `dr-sha256`, as 32 lowercase hex digits.
    let sha256Prefix: String
    /// When it was accepted (millisecond precision).
    let at: Date
    /// Where it was read in its sender's `out` topic.
    let partition: Int32
    let offset: Int64

    /// Whether `sha256` (a whole `dr-sha256`) is this content.
    func isContent(_ sha256: String) -> Bool {
        sha256.lowercased().hasPrefix(sha256Prefix)
    }
}

/// The acceptance ledger in memory: (`dr-from`, `dr-id`) → the first acceptance, for the
/// entries younger than `keep` (`acceptance.max-age` + `acceptance.max-skew`: a record older
/// than that since its first acceptance is refused by its time, so no older entry can decide
/// anything). A plain value; `AcceptanceLedger` holds it behind a lock.
///
/// Stored compactly: the key is the first 16 bytes of SHA-256(`<from>` LF `<id>`) (a
/// collision of two identities needs 2^64 of them), the value 16 bytes of `dr-sha256`, the
/// time and the place read (40 bytes with padding): 56 bytes per bucket of the dictionary
/// (`MemoryLayout` strides, checked in `AcceptanceIndexTests`), which keeps at most 3/4 of its
/// buckets used and doubles: 75 to 150 bytes per entry, so a million identities within
/// max-age + skew take 75 to 150 MB.
struct AcceptanceIndex: Sendable {
    struct Key: Hashable, Sendable {
        let high: UInt64
        let low: UInt64
    }

    struct Stored: Sendable {
        let shaHigh: UInt64
        let shaLow: UInt64
        let atMilliseconds: Int64
        let offset: Int64
        let partition: Int32
    }

    /// How long an entry counts after its acceptance.
    let keep: Duration
    private(set) var entries: [Key: Stored] = [:]
    private var insertsSinceSweep = 0

    init(keep: Duration) {
        self.keep = keep
    }

    /// How many identities are remembered (expired ones not yet swept included).
    var count: Int { entries.count }

    /// The first acceptance of (`from`, `id`) still in force at `now`, if any.
    func first(from: String, id: String, now: Date) -> FirstAcceptance? {
        guard let stored = entries[Self.key(from: from, id: id)], !isExpired(stored, now: now) else { return nil }
        return Self.first(stored)
    }

    /// Records `entry` as the first acceptance of its identity unless one in force is known:
    /// then returns that one and changes nothing (the caller's record is a replay or a conflict).
    mutating func claim(_ entry: AcceptanceEntry, now: Date) -> FirstAcceptance? {
        let key = Self.key(from: entry.from, id: entry.id)
        if let stored = entries[key], !isExpired(stored, now: now) { return Self.first(stored) }
        store(entry, key: key, now: now)
        return nil
    }

    /// Learns `entry` read from the ledger topic (loaded at start, or written by another
    /// instance): kept unless an earlier acceptance of its identity is known. An entry that
    /// does not decode its time or digest, or expired at `now`, is skipped.
    mutating func learn(_ entry: AcceptanceEntry, now: Date) {
        let key = Self.key(from: entry.from, id: entry.id)
        if let stored = entries[key], !isExpired(stored, now: now),
           let at = RFC3339.parse(entry.at), stored.atMilliseconds <= Self.milliseconds(at) {
            return
        }
        store(entry, key: key, now: now)
    }

    /// Forgets every entry expired at `now`.
    mutating func removeExpired(now: Date) {
        entries = entries.filter { !isExpired($0.value, now: now) }
        insertsSinceSweep = 0
    }

    private mutating func store(_ entry: AcceptanceEntry, key: Key, now: Date) {
        guard let at = RFC3339.parse(entry.at), let sha = Self.digestPrefix(entry.sha256) else { return }
        let stored = Stored(
            shaHigh: sha.high, shaLow: sha.low, atMilliseconds: Self.milliseconds(at), offset: entry.offset,
            partition: entry.partition)
        guard !isExpired(stored, now: now) else { return }
        entries[key] = stored
        insertsSinceSweep += 1
        // Amortised: sweep once as many entries were added as there were, at least 1,024.
        if insertsSinceSweep >= max(1024, entries.count / 2) { removeExpired(now: now) }
    }

    private func isExpired(_ stored: Stored, now: Date) -> Bool {
        Self.milliseconds(now) - stored.atMilliseconds > keep.components.seconds * 1000
    }

    static func key(from: String, id: String) -> Key {
        let digest = SHA256Digest.hash(AcceptanceEntry.key(from: from, id: id))
        return Key(high: word(digest, at: 0), low: word(digest, at: 8))
    }

    /// The first 16 bytes of a hex SHA-256, or nil if it is not 32 hex digits at least.
    static func digestPrefix(_ hex: String) -> (high: UInt64, low: UInt64)? {
        let digits = Array(hex.utf8.prefix(32))
        guard digits.count == 32, let high = UInt64(String(decoding: digits[0..<16], as: UTF8.self), radix: 16),
              let low = UInt64(String(decoding: digits[16..<32], as: UTF8.self), radix: 16)
        else { return nil }
        return (high, low)
    }

    private static func first(_ stored: Stored) -> FirstAcceptance {
        FirstAcceptance(
            sha256Prefix: hex(stored.shaHigh) + hex(stored.shaLow),
            at: Date(timeIntervalSince1970: Double(stored.atMilliseconds) / 1000), partition: stored.partition,
            offset: stored.offset)
    }

    private static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func word(_ bytes: [UInt8], at start: Int) -> UInt64 {
        bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// The relay's acceptance index, shared by its workers and the task that follows the ledger
/// topic; `isLoaded` once the ledger was read to its end at start.
final class AcceptanceLedger: Sendable {
    private let index: Mutex<AcceptanceIndex>
    private let loaded = Atomic<Bool>(false)

    init(keep: Duration) {
        self.index = Mutex(AcceptanceIndex(keep: keep))
    }

    var isLoaded: Bool { loaded.load(ordering: .acquiring) }
    var count: Int { index.withLock { $0.count } }

    func markLoaded() { loaded.store(true, ordering: .releasing) }

    /// `AcceptanceIndex.claim`, atomically: two workers taking the same identity at once see
    /// one first.
    func claim(_ entry: AcceptanceEntry, now: Date) -> FirstAcceptance? {
        index.withLock { $0.claim(entry, now: now) }
    }

    /// The identity's first acceptance, if known, without claiming it (a large document looks
    /// its identity up at its first segment and claims it only once it is complete, so that a
    /// document refused on the way can be sent again).
    func first(from: String, id: String, now: Date) -> FirstAcceptance? {
        index.withLock { $0.first(from: from, id: id, now: now) }
    }

    func learn(_ entries: [AcceptanceEntry], now: Date) {
        index.withLock { index in entries.forEach { index.learn($0, now: now) } }
    }
}
