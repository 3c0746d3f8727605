/// What creating topics in batches came to.
public struct KafkaTopicCreation: Sendable {
    /// Topics this run created (also those a timed-out request created, found on the next attempt).
    public var created: [String] = []
    /// Topics that existed before this run asked for them.
    public var existing: [String] = []
    /// Topics still missing after the last attempt, with the last error met for each.
    public var failed: [String: KafkaError] = [:]
    /// CreateTopics requests sent.
    public var requests = 0
    /// Attempts made (the first included).
    public var attempts = 0

    public init() {}
}

/// Where a batched creation stands, after each request.
public struct KafkaTopicCreationProgress: Sendable, CustomStringConvertible {
    /// Topics of the plan settled so far (created or existing).
    public var settled: Int
    public var total: Int
    public var created: Int
    public var existing: Int
    /// Topics of this attempt that will be asked for again (timed out, cluster not ready).
    public var toRetry: Int
    public var attempt: Int

    public var description: String {
        "\(settled)/\(total) topics (\(created) created, \(existing) existed)"
            + (toRetry > 0 ? ", \(toRetry) to try again" : "") + (attempt > 1 ? ", attempt \(attempt)" : "")
    }
}

/// Creates many topics as a cluster can take them (issue 16): what exists is asked first and
/// never requested again (a second run creates only what is missing), the rest goes in
/// requests of `batchSize` topics, and what timed out (the whole request or one topic) is asked
/// again, up to `attempts` times, after checking which of it the cluster created meanwhile.
/// Refusals that waiting cannot cure (authorisation, an invalid configuration) throw at once,
/// naming the topic: what was created before stays, and a run again goes on from there.
///
/// It knows nothing of librdkafka: `KafkaAdmin.createTopics(_:batchSize:attempts:progress:)`
/// gives it the cluster, tests give it a fake.
public struct TopicBatchCreator: Sendable {
    public var batchSize: Int
    public var attempts: Int
    /// Before each attempt after the first.
    public var pause: Duration

    public init(batchSize: Int = 500, attempts: Int = 3, pause: Duration = .seconds(2)) {
        self.batchSize = max(batchSize, 1)
        self.attempts = max(attempts, 1)
        self.pause = pause
    }

    /// - Parameters:
    ///   - existing: the names of the topics the cluster has now.
    ///   - create: sends one request for a batch; answers each topic's result (no entry: no
    ///     answer for it), or throws for the whole request.
    public func run(
        _ specs: [KafkaTopicSpec],
        existing: () async throws -> Set<String>,
        create: ([KafkaTopicSpec]) async throws -> [String: KafkaError],
        progress: (KafkaTopicCreationProgress) -> Void = { _ in }
    ) async throws -> KafkaTopicCreation {
        var result = KafkaTopicCreation()
        let known = try await existing()
        result.existing = specs.filter { known.contains($0.name) }.map(\.name)
        var pending = specs.filter { !known.contains($0.name) }
        var lastError: [String: KafkaError] = [:]
        for attempt in 1...attempts where !pending.isEmpty {
            result.attempts = attempt
            if attempt > 1 {
                try await Task.sleep(for: pause)
                // A request that timed out may have created some of its topics.
                let now = try await existing()
                result.created += pending.filter { now.contains($0.name) }.map(\.name)
                pending = pending.filter { !now.contains($0.name) }
            }
            var retry: [KafkaTopicSpec] = []
            var start = 0
            while start < pending.count {
                let batch = Array(pending[start..<min(start + batchSize, pending.count)])
                start += batch.count
                result.requests += 1
                do {
                    let answers = try await create(batch)
                    for spec in batch {
                        guard let answer = answers[spec.name] else {
                            retry.append(spec)
                            lastError[spec.name] = KafkaError(code: .timedOut, message: "no answer for topic \(spec.name)")
                            continue
                        }
                        switch answer.code {
                        case .noError: result.created.append(spec.name)
                        case .topicAlreadyExists: result.existing.append(spec.name)
                        default:
                            guard answer.isRetriable else { throw answer }
                            retry.append(spec)
                            lastError[spec.name] = answer
                        }
                    }
                } catch let error as KafkaError where error.isRetriable {
                    retry += batch
                    for spec in batch { lastError[spec.name] = error }
                }
                progress(KafkaTopicCreationProgress(
                    settled: result.created.count + result.existing.count, total: specs.count,
                    created: result.created.count, existing: result.existing.count, toRetry: retry.count, attempt: attempt))
            }
            pending = retry
        }
        if !pending.isEmpty, let now = try? await existing() {
            // The last attempt's timed-out requests may have created some too.
            result.created += pending.filter { now.contains($0.name) }.map(\.name)
            pending = pending.filter { !now.contains($0.name) }
        }
        for spec in pending { result.failed[spec.name] = lastError[spec.name] }
        return result
    }
}
