extension KafkaTopicReader {
    /// What is left to read of one topic: per partition, the next offset expected and the high
    /// watermark (exclusive) it had when the read started. A plain value, so that the rules
    /// (skip what was produced after the start, skip what was seen, end at the watermark or at a
    /// partition's end) are tested without a cluster.
    struct Progress: Sendable, Hashable {
        struct Remaining: Sendable, Hashable {
            var next: Int64
            let high: Int64
        }

        /// Partitions not read to their high watermark yet.
        private(set) var remaining: [Int32: Remaining]
        /// Partitions that were finished since `takeFinished()` was last called.
        private var newlyFinished: [Int32] = []

        /// From the watermarks at the start; empty partitions are finished at once.
        init(_ offsets: [KafkaPartitionOffsets]) {
            var remaining: [Int32: Remaining] = [:]
            for partition in offsets where partition.high > partition.low {
                remaining[partition.partition] = Remaining(next: partition.low, high: partition.high)
            }
            self.remaining = remaining
        }

        var isFinished: Bool { remaining.isEmpty }

        /// Whether the record at `offset` of `partition` belongs to the read: between the start
        /// and the high watermark, and not seen before. Finishes the partition with its last record.
        mutating func accept(partition: Int32, offset: Int64) -> Bool {
            guard let entry = remaining[partition] else { return false }
            guard offset >= entry.next, offset < entry.high else {
                if offset >= entry.high { finish(partition) }
                return false
            }
            if offset + 1 >= entry.high {
                finish(partition)
            } else {
                remaining[partition]?.next = offset + 1
            }
            return true
        }

        /// The broker said the partition ends at `offset` (the next offset to be written): the
        /// read of it is over when that is at or past the watermark (offsets may have gaps, e.g.
        /// transaction markers or compaction, so the last record may never come).
        mutating func reachedEnd(partition: Int32, offset: Int64) {
            guard let entry = remaining[partition], offset >= entry.high else { return }
            finish(partition)
        }

        /// The partitions finished since the last call (to stop fetching them).
        mutating func takeFinished() -> [Int32] {
            defer { newlyFinished = [] }
            return newlyFinished
        }

        private mutating func finish(_ partition: Int32) {
            if remaining.removeValue(forKey: partition) != nil { newlyFinished.append(partition) }
        }
    }
}
