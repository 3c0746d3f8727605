internal import CRdKafka
import Foundation
import Synchronization

/// Requests over many topics at once (issue 16: a hub of 10,000 agencies has 20,009 topics).
extension KafkaAdmin {
    /// Creates `topics` in requests of `batchSize`, skipping those that exist, asking again
    /// for what timed out (`TopicBatchCreator`). `progress` is called after each request.
    /// Each request may take `requestTimeout` (default `max(connect timeout, 30 s)`): a cluster
    /// creating hundreds of replicated topics takes seconds.
    public func createTopics(
        _ topics: [KafkaTopicSpec], batchSize: Int, attempts: Int = 3, pause: Duration = .seconds(2),
        requestTimeout: Duration? = nil, progress: (KafkaTopicCreationProgress) -> Void = { _ in }
    ) async throws -> KafkaTopicCreation {
        let client = client
        let timeout = requestTimeout ?? max(timeout, .seconds(30))
        return try await TopicBatchCreator(batchSize: batchSize, attempts: attempts, pause: pause).run(
            topics,
            existing: { Set(try await listTopics().map(\.name)) },
            create: { batch in
                try await runBlocking { () throws -> [String: KafkaError] in
                    try Self.createTopicBatch(batch, client: client, timeout: timeout)
                }
            },
            progress: progress)
    }

    /// The low and high watermarks of every partition of `topics` (from `listTopics`), in two
    /// ListOffsets requests per broker whatever their number (`rd_kafka_offsets_for_times` with
    /// the timestamps -2, earliest, and -1, latest), not one round trip per partition as
    /// `rd_kafka_query_watermark_offsets`. Cancelling the task returns at once with
    /// `CancellationError` (the request ends on its own thread within its timeout).
    public func watermarks(of topics: [KafkaTopicMetadata]) async throws -> [KafkaTopicPartition: KafkaPartitionOffsets] {
        let partitions = topics.flatMap { topic in
            (0..<Int32(topic.partitionCount)).map { KafkaTopicPartition(topic: topic.name, partition: $0) }
        }
        guard !partitions.isEmpty else { return [:] }
        let client = client
        let timeout = timeout
        return try await runBlockingCancellable { () throws -> [KafkaTopicPartition: KafkaPartitionOffsets] in
            let low = try Self.listOffsets(partitions, at: Int64(RD_KAFKA_OFFSET_BEGINNING), client: client, timeout: timeout)
            let high = try Self.listOffsets(partitions, at: Int64(RD_KAFKA_OFFSET_END), client: client, timeout: timeout)
            var offsets: [KafkaTopicPartition: KafkaPartitionOffsets] = [:]
            offsets.reserveCapacity(partitions.count)
            for partition in partitions {
                guard let first = low[partition], let next = high[partition] else { continue }
                offsets[partition] = KafkaPartitionOffsets(partition: partition.partition, low: first, high: next)
            }
            return offsets
        }
    }

    /// How many records of each of `topics` `group` has not committed yet (summed over the
    /// topic's partitions), in a few requests for all of them: one OffsetFetch naming every
    /// partition (`KafkaGroupOffsets`), and `watermarks(of:)`. A partition without a commit counts from
    /// its low watermark. Cancellable as `watermarks(of:)`.
    public func lag(group: String, topics: [KafkaTopicMetadata]) async throws -> [String: Int64] {
        guard !topics.isEmpty else { return [:] }
        let offsets = try await watermarks(of: topics)
        let partitions = Array(offsets.keys)
        let (settings, logger, timeout) = (settings, logger, timeout)
        let committed = try await runBlockingCancellable { () throws -> [KafkaTopicPartition: Int64] in
            try KafkaGroupOffsets.committed(group: group, partitions: partitions, settings: settings, logger: logger, timeout: timeout)
        }
        var lag: [String: Int64] = [:]
        lag.reserveCapacity(topics.count)
        for (partition, bounds) in offsets {
            let done = committed[partition] ?? bounds.low
            lag[partition.topic, default: 0] += max(bounds.high - max(done, bounds.low), 0)
        }
        return lag
    }

    // MARK: Blocking parts

    /// One CreateTopics request; each topic's result (`noError` when created). Throws for the
    /// request as a whole (no answer within `timeout`, no broker) or a spec librdkafka refuses.
    static func createTopicBatch(
        _ topics: [KafkaTopicSpec], client: RDKafkaClient, timeout: Duration
    ) throws -> [String: KafkaError] {
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for spec in topics { newTopics.append(try newTopic(spec)) }
        let event = try adminRequest(client: client, timeout: timeout) { options, queue in
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let results = rd_kafka_CreateTopics_result_topics(result, &count)
        else { return [:] }
        var answers: [String: KafkaError] = [:]
        for index in 0..<count {
            guard let topicResult = results[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let code = KafkaError.Code(rd_kafka_topic_result_error(topicResult))
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? code.explanation
            answers[name] = KafkaError(code: code, message: code == .noError ? "created" : "cannot create topic \(name): \(text)")
        }
        return answers
    }

    /// A `rd_kafka_NewTopic_t` for `spec` (the caller destroys it).
    static func newTopic(_ spec: KafkaTopicSpec) throws -> OpaquePointer {
        guard spec.partitions >= 1, spec.replicationFactor >= 1 else {
            throw KafkaError.invalidConfiguration(
                property: nil,
                "topic \(spec.name): partitions and replication factor must be at least 1, not \(spec.partitions) and \(spec.replicationFactor)")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(
            spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errorText, errorText.count)
        else {
            throw KafkaError.invalidConfiguration(property: nil, "topic \(spec.name): \(errorText.cString)")
        }
        for (name, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
            guard rd_kafka_NewTopic_set_config(topic, name, value) == RD_KAFKA_RESP_ERR_NO_ERROR else {
                rd_kafka_NewTopic_destroy(topic)
                throw KafkaError.invalidConfiguration(property: name, "topic \(spec.name): config \(name)=\(value) refused")
            }
        }
        return topic
    }

    /// The offset of each partition at `timestamp` (-2 earliest, -1 latest): one ListOffsets
    /// request per partition leader. Throws naming the first partition the cluster could not
    /// answer for.
    static func listOffsets(
        _ partitions: [KafkaTopicPartition], at timestamp: Int64, client: RDKafkaClient, timeout: Duration
    ) throws -> [KafkaTopicPartition: Int64] {
        let list = RDKafkaTopicPartitionList(offsets: partitions.map { ($0, timestamp) })
        let result = rd_kafka_offsets_for_times(client.handle, list.pointer, Int32(timeout.milliseconds))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaError.Code(result),
                message: "cannot read the offsets of \(partitions.count) partitions: \(client.events.lastError ?? KafkaError.Code(result).explanation)")
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        offsets.reserveCapacity(partitions.count)
        for entry in list.entries {
            guard entry.error == .noError, entry.offset >= 0 else {
                throw KafkaError(
                    code: entry.error == .noError ? .unknownPartition : entry.error,
                    message: "cannot read the offsets of \(entry.partition.topic)[\(entry.partition.partition)]: \(entry.error.explanation)")
            }
            offsets[entry.partition] = entry.offset
        }
        return offsets
    }
}

/// `runBlocking` whose caller stops waiting when its task is cancelled (throwing
/// `CancellationError`); the blocking call goes on on its own thread until it returns, and its
/// result is dropped. For periodic measurements that must not hold up a shutdown.
func runBlockingCancellable<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let waiting = WaitingContinuation<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            waiting.set(continuation)
            if Task.isCancelled {
                waiting.resume(with: .failure(CancellationError()))
                return
            }
            let thread = Thread { waiting.resume(with: Result { try body() }) }
            thread.name = "docrelay-kafka-blocking"
            thread.start()
        }
    } onCancel: {
        waiting.resume(with: .failure(CancellationError()))
    }
}

/// A continuation resumed once, by whichever comes first.
private final class WaitingContinuation<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ value: CheckedContinuation<T, any Error>) {
        continuation.withLock { $0 = value }
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
