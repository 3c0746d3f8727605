import DocRelayCore
import DocRelayKafka
import Logging
import ServiceLifecycle

/// Writes the relay's own records (dead letters, retries, acks, events): each must be durable
/// before the record that caused it may be committed, so a failure is retried here, with
/// backoff, until the broker acknowledges or the relay shuts down (the record is then not
/// committed and is processed again after restart: nothing is lost). A record refused for good
/// (`WriteRefusal.isPermanent`: too large, invalid, unauthorised, to a missing topic) is not
/// retried but handed back, for the caller to give it a terminal outcome. A producer that failed
/// fatally is not retried either: `RelayHalt.producerFatal` is thrown, and the relay stops.
struct DurableWriter: Sendable {
    let producer: KafkaProducer
    let logger: Logger

    /// Writes every record, each until acknowledged or refused for good (returned). They are
    /// handed to the producer in order, so records of one key (one document) land in their
    /// partition in this order. Between attempts it waits 100 ms doubling to 30 s; a graceful
    /// shutdown ends the wait with `CancellationError`.
    func writeAll(_ records: [KafkaProducerRecord]) async throws -> [WriteRefusal] {
        var pending = records
        var refused: [WriteRefusal] = []
        var backoff = Duration.milliseconds(100)
        while !pending.isEmpty {
            let failures = await enqueue(pending)
            if !failures.isEmpty { try checkFatal() }
            refused += failures.filter { WriteRefusal.isPermanent($0.error) }
            pending = failures.filter { !WriteRefusal.isPermanent($0.error) }.map(\.record)
            guard !pending.isEmpty else { break }
            let wait = backoff
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            backoff = min(backoff * 2, .seconds(30))
        }
        return refused
    }

    /// Hands `records` to the producer in order; returns those the broker did not take.
    private func enqueue(_ records: [KafkaProducerRecord]) async -> [WriteRefusal] {
        let (outcomes, continuation) = AsyncStream.makeStream(of: (index: Int, error: KafkaError?).self)
        for (index, record) in records.enumerated() {
            await producer.send(record) { result in
                switch result {
                case .success: continuation.yield((index, nil))
                case .failure(let error): continuation.yield((index, error))
                }
            }
        }
        var failed: [WriteRefusal] = []
        var outstanding = records.count
        for await outcome in outcomes {
            if let error = outcome.error {
                let record = records[outcome.index]
                if !WriteRefusal.isPermanent(error) {
                    logger.warning(
                        "Write of a relay record failed; retrying",
                        metadata: [LogKey.topic: "\(record.topic)", LogKey.error: "\(error)"])
                }
                failed.append(WriteRefusal(record: record, error: error))
            }
            outstanding -= 1
            if outstanding == 0 { break }
        }
        continuation.finish()
        return failed
    }

    /// One attempt at a delivery: the broker's outcome, failures included (the caller decides
    /// between retry tiers and the dead-letter topic). Throws only what is not the broker's
    /// answer (cancellation).
    func attempt(_ record: KafkaProducerRecord) async throws -> Result<KafkaDeliveryReport, KafkaError> {
        do {
            return .success(try await producer.send(record))
        } catch let error as KafkaError {
            try checkFatal()
            return .failure(error)
        }
    }

    /// Throws `RelayHalt.producerFatal` once the producer failed fatally.
    func checkFatal() throws(RelayHalt) {
        if let fatal = producer.fatalError {
            throw .producerFatal(fatal, cluster: producer.bootstrapServers)
        }
    }
}
