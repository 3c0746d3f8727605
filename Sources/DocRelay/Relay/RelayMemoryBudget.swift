/// How the relay shares `limits.memory-budget` (bytes of records it may hold at once) between
/// what its consumers prefetch and buffer and what its workers process, so that a backlog of
/// records of the largest size cannot take memory in proportion to the workers or the backlog.
///
/// | share | holds |
/// |---|---|
/// | 1/8 + 1/8 | records librdkafka prefetches for the main consumer (`queued.max.messages.kbytes`), and one fetch response beyond it (librdkafka caps `fetch.max.bytes` at the queue's size) |
/// | 1/16 | records fetched, waiting for a worker (the consumer's buffer) |
/// | 1/32 + 1/32, 1/64 | the same for the retry consumer |
/// | 1/4 + 1/4 | records taken by workers and not yet finished (`ByteBudget`), and their copies in the producers' queues until the broker acknowledges them |
///
/// In all 15/16 of the budget. Not in it: a record written to several recipients has one
/// copy per recipient in the producer's queue while it is handled. Measured by
/// `docrelay-bench backlog` (BENCHMARKS.md).
public struct RelayMemoryBudget: Sendable, Hashable {
    public let total: Int
    /// The largest record (value and headers) the relay takes.
    public let largestRecord: Int

    public init(total: Int, largestRecord: Int) {
        self.total = total
        self.largestRecord = largestRecord
    }

    public var mainPrefetch: Int { total / 8 }
    public var mainBuffer: Int { total / 16 }
    public var retryPrefetch: Int { total / 32 }
    public var retryBuffer: Int { total / 64 }
    /// Never less than two of the largest record, so two workers can always go on.
    public var processing: Int { max(total / 4, 2 * largestRecord) }
}
