/// Retries an operation on a Kafka cluster that may still be starting, for a bounded time.
///
/// A cluster started together with its clients (docker compose, a rolling restart) refuses
/// connections at first, then answers with fewer brokers registered than a topic's replication
/// factor. ``isStarting(_:)`` tells those passing refusals from the ones waiting cannot cure
/// (bad credentials, a property librdkafka refuses, a denied ACL), which end the wait at once.
public struct ClusterWait: Sendable {
    /// How long to keep trying after the first attempt; zero tries once.
    public var limit: Duration
    /// The pause after the first failure; it doubles after each, up to ``maximumPause``.
    public var firstPause: Duration
    /// The longest pause between two attempts.
    public var maximumPause: Duration
    /// A monotonic reading of the time, in the unit of the limit; the real clock unless a test
    /// gives its own.
    public var now: @Sendable () -> Duration = { ContinuousClock.now - ClusterWait.origin }
    /// Waits for a pause; `Task.sleep` unless a test gives its own.
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    /// Where the real clock's readings count from.
    static let origin = ContinuousClock.now

    /// - Parameters:
    ///   - limit: how long to keep trying; zero (the default) tries once.
    ///   - firstPause: the first pause (default 1 s), doubling after each failure.
    ///   - maximumPause: the longest pause (default 10 s).
    public init(limit: Duration = .zero, firstPause: Duration = .seconds(1), maximumPause: Duration = .seconds(10)) {
        self.limit = limit
        self.firstPause = firstPause
        self.maximumPause = maximumPause
    }

    /// Whether `error` is what a cluster still starting answers: a retriable error (no broker
    /// reachable, a timeout, a leader not elected) or too few brokers for the replication factor.
    public static func isStarting(_ error: KafkaError) -> Bool {
        error.isRetriable || error.code == .invalidReplicationFactor
    }

    /// The cluster was still not ready when the wait ended.
    public struct NotReady: Error, Sendable, CustomStringConvertible {
        /// How many attempts were made.
        public let attempts: Int
        /// How long the wait lasted.
        public let waited: Duration
        /// The last attempt's error.
        public let lastError: KafkaError

        public var description: String {
            "the cluster was not ready after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(Int(waited.components.seconds)) s: \(lastError)"
        }
    }

    /// Runs `operation` until it succeeds, an error other than a starting cluster's is thrown
    /// (rethrown as it is), or ``limit`` has passed (``NotReady``, with the last error). With a
    /// limit of zero it runs once and rethrows whatever it throws.
    ///
    /// - Parameter retrying: told of each failure that will be tried again, with the pause before it.
    public func run<Value>(
        retrying: (KafkaError, Duration) -> Void = { _, _ in },
        _ operation: () async throws -> Value
    ) async throws -> Value {
        let start = now()
        var pause = firstPause
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await operation()
            } catch let error as KafkaError where Self.isStarting(error) {
                guard limit > .zero else { throw error }
                let elapsed = now() - start
                let left = limit - elapsed
                guard left > .zero else {
                    throw NotReady(attempts: attempts, waited: elapsed, lastError: error)
                }
                let next = min(pause, left)
                retrying(error, next)
                try await sleep(next)
                pause = min(pause * 2, maximumPause)
            }
        }
    }
}
