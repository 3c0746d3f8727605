/// How the relay shares `limits.memory-budget` (bytes of records it may hold at once) between
/// what its consumers prefetch and buffer and what its workers process, so that a backlog of
/// records of the largest size cannot take memory in proportion to the workers or the backlog.
///
/// | share | holds |
/// |---|---|
/// | 1/4 | records librdkafka prefetches for the main consumer (`queued.max.messages.kbytes`) |
/// | 1/8 | records fetched, waiting for a worker (the consumer's buffer) |
/// | 1/16, 1/32 | the same for the retry consumer |
/// | 1/2 | records taken by workers and not yet finished (`ByteBudget`) |
///
/// What librdkafka holds beyond it: one fetch response over its queue size, and the producer's
/// queue (`queue.buffering.max.kbytes`, 64 MiB), whose records are copies of those in processing.
public struct RelayMemoryBudget: Sendable, Hashable {
    public let total: Int
    /// The largest record (value and headers) the relay takes.
    public let largestRecord: Int

    public init(total: Int, largestRecord: Int) {
        self.total = total
        self.largestRecord = largestRecord
    }

    public var mainPrefetch: Int { total / 4 }
    public var mainBuffer: Int { total / 8 }
    public var retryPrefetch: Int { total / 16 }
    public var retryBuffer: Int { total / 32 }
    /// Never less than two of the largest record, so two workers can always go on.
    public var processing: Int { max(total / 2, 2 * largestRecord) }
}
