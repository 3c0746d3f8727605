import DequeModule

/// Which offset of one partition may be committed, when records finish out of order.
///
/// Records are registered in the order they are handed to the application and marked processed
/// in any order; the committable offset is one past the last record before which every record is
/// processed. Offsets may have gaps (compaction, transaction markers): only handed-out records
/// count.
struct PartitionOffsetTracker: Sendable, Hashable {
    private var pending: Deque<Entry> = []
    private var unprocessed = 0
    /// The offset to commit: every record below it that was handed out is processed.
    private(set) var committable: Int64?

    private struct Entry: Sendable, Hashable {
        var offset: Int64
        var processed: Bool
    }

    init() {}

    /// A tracker whose records below `offset` count as processed (a partition resumed where
    /// this member's processing of an earlier assignment ended, `KafkaConsumer.Resumption`).
    init(resumingAt offset: Int64) {
        committable = offset
    }

    /// Records handed out and not yet processed.
    var inFlight: Int { unprocessed }

    /// The offset after the last record handed out, if any was.
    var nextExpected: Int64? { pending.last.map { $0.offset + 1 } ?? committable }

    /// Registers a record handed to the application. Offsets must increase; a stale one is
    /// ignored and `false` returned.
    @discardableResult
    mutating func handedOut(_ offset: Int64) -> Bool {
        if let last = pending.last?.offset, offset <= last { return false }
        if pending.isEmpty, let committable, offset < committable { return false }
        pending.append(Entry(offset: offset, processed: false))
        unprocessed += 1
        return true
    }

    /// Marks a handed-out record processed. Returns `false` for an offset not in flight.
    @discardableResult
    mutating func processed(_ offset: Int64) -> Bool {
        guard let index = index(of: offset), !pending[index].processed else { return false }
        pending[index].processed = true
        unprocessed -= 1
        while let first = pending.first, first.processed {
            committable = first.offset + 1
            pending.removeFirst()
        }
        return true
    }

    /// Forgets records at or after `offset`: they will be fetched and handed out again.
    mutating func rewind(to offset: Int64) {
        while let last = pending.last, last.offset >= offset {
            if !last.processed { unprocessed -= 1 }
            pending.removeLast()
        }
        if pending.isEmpty, let current = committable, current > offset {
            committable = offset
        }
    }

    private func index(of offset: Int64) -> Int? {
        var low = pending.startIndex
        var high = pending.endIndex
        while low < high {
            let middle = (low + high) / 2
            let value = pending[middle].offset
            if value == offset { return middle }
            if value < offset { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
