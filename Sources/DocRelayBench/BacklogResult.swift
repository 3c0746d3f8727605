import Foundation

/// The outcome of `docrelay-bench backlog`, printed as one JSON line and read back by `all`.
struct BacklogResult: Sendable, Codable, Hashable {
    /// Bytes of each document's value: the relay's `limits.max-value-bytes`.
    var size: Int
    /// Partitions of each agency's out and in topic.
    var partitions: Int
    /// The relay's `limits.memory-budget`, its largest record (value and headers) and workers.
    var memoryBudget: Int
    var maxRecordBytes: Int
    var workers: Int
    /// The relay with a few documents (one per agency), then with the backlog.
    var baseline: BacklogRun
    var backlog: BacklogRun
    /// Records in the inboxes once both runs ended (documents and acks), as expected: checked
    /// with nothing dropped by the mock, nothing dead-lettered or retried, every out topic committed.
    var inboxRecords: Int

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One relay process of `backlog`, from its start until it was stopped.
struct BacklogRun: Sendable, Codable, Hashable {
    /// Documents waiting in the out topics when the relay started.
    var documents: Int
    /// From the first document in an inbox to every document and ack in its inbox (±20 ms).
    var drainSeconds: Double
    /// From the relay process's start to the same moment (the mock's group join included).
    var secondsFromStart: Double
    /// The relay process's memory (`backlog-relay`).
    var memory: RelayMemoryResult
    /// Its RSS once everything was delivered, before it was stopped (`/proc/<pid>/status`), in KiB.
    var residentAtEndKiB: Int
}
