internal import CRdKafka
import Foundation
import Synchronization

/// Owns one `rd_kafka_t` and the events object it calls back into.
///
/// librdkafka handles are thread-safe, so this is shared across threads; it is the one place
/// the handle lives, and `deinit` destroys it before the events object is released.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer, consumer

        var rdKafkaType: rd_kafka_type_t {
            switch self {
            case .producer: RD_KAFKA_PRODUCER
            case .consumer: RD_KAFKA_CONSUMER
            }
        }
    }

    /// The `rd_kafka_t *`. Never destroyed elsewhere.
    let handle: OpaquePointer
    let events: RDKafkaEvents
    let bootstrapServers: String

    init(kind: Kind, properties: [(String, String)], events: RDKafkaEvents) throws(KafkaError) {
        let config = try RDKafkaConfig(properties: properties)
        var errorText = [CChar](repeating: 0, count: 512)
        let created: OpaquePointer? = config.withPointer { pointer -> OpaquePointer? in
            events.install(on: pointer)
            return rd_kafka_new(kind.rdKafkaType, pointer, &errorText, errorText.count)
        } ?? nil
        guard let created else {
            throw .invalidConfiguration(
                property: nil,
                "librdkafka refused the configuration: \(errorText.cString)")
        }
        config.relinquish()
        self.handle = created
        self.events = events
        self.bootstrapServers = properties.last { $0.0 == "bootstrap.servers" }?.1 ?? ""
        if kind == .consumer {
            // Logs, errors and rebalances all arrive on the consumer queue, served by one poll.
            rd_kafka_poll_set_consumer(created)
        }
    }

    private let abandoned = Mutex(false)

    deinit {
        if !abandoned.withLock({ $0 }) { rd_kafka_destroy(handle) }
    }

    /// Never destroys the handle: its threads and memory live until the process ends. Only for
    /// a handle librdkafka would abort on when destroyed (see `KafkaConsumer.close`).
    /// The client itself is kept too: librdkafka's threads may still call into `events`.
    func abandon() {
        let first = abandoned.withLock { flag -> Bool in
            defer { flag = true }
            return !flag
        }
        if first { _ = Unmanaged.passRetained(self) }
    }

    var isAbandoned: Bool { abandoned.withLock { $0 } }

    /// Asks the cluster for its metadata; fails when no broker answers within `timeout`.
    /// Blocking: call it off the cooperative pool.
    func checkReachable(timeout: Duration) throws(KafkaError) {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(max(timeout.milliseconds, 100)))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let cause = events.lastError ?? KafkaError.Code(result).explanation
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "no Kafka broker at \(bootstrapServers) answered within \(timeout): \(cause)",
                isRetriable: true)
        }
    }

    /// The fatal error librdkafka raised on this client, if any (idempotence violations).
    func fatalError() -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(
            code: KafkaError.Code(code), message: text.cString, isRetriable: false,
            isFatal: true)
    }
}

/// Runs a blocking librdkafka call on a thread of its own, so that the cooperative pool of
/// Swift concurrency is never blocked (see field-notes.md).
func runBlocking<T: Sendable>(
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.name = "docrelay-kafka-blocking"
        thread.start()
    }
}

/// `runBlocking` for a call that cannot fail.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.name = "docrelay-kafka-blocking"
        thread.start()
    }
}
