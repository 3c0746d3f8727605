import DocRelayKafka
import Logging
import Synchronization

/// The `layer` pass-through: DocRelay's Swift layer as the relay will use it.
///
/// A `KafkaConsumer` subscribed to the source hands out records; each is sent to the
/// destination with `KafkaProducer.send(_:onDelivery:)` and marked processed by its delivery
/// callback. The consumer commits processed offsets in the background; the run ends with an
/// explicit `commit()`.
///
/// `KafkaProducer.connect` asks the cluster for its metadata, which brings the destination's
/// partitions into librdkafka's cache before the clock starts, as `RawPassThrough.warmUp`
/// does for `raw`.
struct LayerPassThrough: Sendable {
    let connection: KafkaSettings
    let records: Int
    let group: String
    let logger: Logger
    /// `KafkaConsumerSettings.maxBufferedRecords`, when not the layer's default (diagnosis only).
    var maxBufferedRecords: Int?

    /// Runs the pass-through to completion and closes both clients. Returns the time from the
    /// first record received to the final commit's return.
    func run() async throws -> Duration {
        var consumerSettings = KafkaConsumerSettings(connection: connection, groupID: group)
        consumerSettings.sessionTimeout = .seconds(6)
        if let maxBufferedRecords { consumerSettings.maxBufferedRecords = maxBufferedRecords }
        let consumer = try await KafkaConsumer.connect(settings: consumerSettings, logger: logger)
        let producer: KafkaProducer
        do {
            producer = try await KafkaProducer.connect(
                settings: KafkaProducerSettings(connection: connection), logger: logger)
        } catch {
            await consumer.close()
            throw error
        }
        do {
            let elapsed = try await passThrough(consumer: consumer, producer: producer)
            await consumer.close()
            await producer.close()
            return elapsed
        } catch {
            await consumer.close()
            await producer.close(timeout: .seconds(1))
            throw error
        }
    }

    /// The measured part: one task reads the records and hands each to the producer with a
    /// delivery callback, which marks it processed; no task per record.
    private func passThrough(consumer: KafkaConsumer, producer: KafkaProducer) async throws -> Duration {
        let clock = ContinuousClock()
        let destination = BenchWorkload.destinationTopic
        let total = records
        let failures = LockedCounter()
        try consumer.subscribe(topics: [BenchWorkload.sourceTopic])
        var started: ContinuousClock.Instant?
        var received = 0
        for try await record in consumer.records {
            if started == nil { started = clock.now }
            await producer.send(KafkaProducerRecord(
                topic: destination, key: record.key, value: record.value, headers: record.headers)
            ) { result in
                switch result {
                case .success: consumer.markProcessed(record)
                case .failure: failures.increment()
                }
            }
            received += 1
            if received == total { break }
        }
        guard received == total else {
            throw BenchFailure("the record sequence ended after \(received) of \(total) records")
        }
        try await producer.flush(timeout: .seconds(120))
        guard failures.value == 0 else { throw BenchFailure("\(failures.value) sends failed") }
        try await consumer.commit()
        let ended = clock.now
        guard let started else { throw BenchFailure("no record received") }
        return ended - started
    }
}

/// A count shared with delivery callbacks.
final class LockedCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
