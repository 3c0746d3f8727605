/// When `/healthz` calls a running relay or agent unhealthy (503), as a pure function of what
/// the process observed: the rules of docs/operations.md ("/healthz", and its agent part).
///
/// - Kafka unreachable: the process's producer has not reached a broker (a metadata request,
///   every few seconds) for `brokerUnreachableAfter`.
/// - No progress: records are in processing or waiting (the last measured lag, plus `waiting`),
///   and none was processed for `stallAfter`.
/// - Lag growing: every lag measurement for at least `lagGrowingFor` was above the one before.
public struct Liveness: Sendable, Hashable {
    /// Thresholds, from hub.yaml's `admin:` section (relay) or agency.yaml's `api:` (agent).
    public struct Thresholds: Sendable, Hashable {
        /// Default 30 s.
        public var brokerUnreachableAfter: Duration
        /// Default 60 s; never less than two attempt timeouts (a write may take that long).
        public var stallAfter: Duration
        /// Default 5 min.
        public var lagGrowingFor: Duration

        public init(brokerUnreachableAfter: Duration = .seconds(30), stallAfter: Duration = .seconds(60), lagGrowingFor: Duration = .seconds(300)) {
            self.brokerUnreachableAfter = brokerUnreachableAfter
            self.stallAfter = stallAfter
            self.lagGrowingFor = lagGrowingFor
        }
    }

    /// One lag measurement: records not yet consumed by the relay's groups, summed.
    public struct LagSample: Sendable, Hashable {
        public var at: ContinuousClock.Instant
        public var lag: Int64

        public init(at: ContinuousClock.Instant, lag: Int64) {
            self.at = at
            self.lag = lag
        }
    }

    /// Since when no broker answered the relay's probe, and what the last failure said.
    public var unreachableSince: ContinuousClock.Instant?
    public var unreachableError: String?
    /// When a record was last processed (or the relay started).
    public var lastProgress: ContinuousClock.Instant
    /// Records handed out and not yet processed.
    public var inProcessing: Int
    /// Lag measurements, oldest first (the owner keeps those of the last `lagGrowingFor` and one more).
    public var lagSamples: [LagSample]
    /// Records waiting that no lag measures (the agent's spool files not yet sent); 0 for the relay.
    public var waiting: Int

    public init(
        unreachableSince: ContinuousClock.Instant? = nil, unreachableError: String? = nil,
        lastProgress: ContinuousClock.Instant, inProcessing: Int = 0, lagSamples: [LagSample] = [],
        waiting: Int = 0
    ) {
        self.unreachableSince = unreachableSince
        self.unreachableError = unreachableError
        self.lastProgress = lastProgress
        self.inProcessing = inProcessing
        self.lagSamples = lagSamples
        self.waiting = waiting
    }

    /// Nothing in processing and nothing waiting (by the last lag measurement and `waiting`).
    public var isIdle: Bool {
        inProcessing == 0 && waiting == 0 && (lagSamples.last?.lag ?? 0) == 0
    }

    /// Work arrives (a record taken or found waiting): when it ends an idle spell, the
    /// no-progress clock starts now, so an agent idle for an hour is not called stuck the
    /// moment a record arrives.
    public mutating func workArrives(at now: ContinuousClock.Instant) {
        if isIdle { lastProgress = now }
    }

    /// The probe reached a broker (`error` nil) or not (`error`: what the client said).
    public mutating func probed(error: String?, at now: ContinuousClock.Instant) {
        if let error {
            if unreachableSince == nil { unreachableSince = now }
            unreachableError = error
        } else {
            unreachableSince = nil
            unreachableError = nil
        }
    }

    /// A lag measurement (records); samples older than `keep` before it are dropped, one older
    /// is kept so that growth over exactly `keep` shows.
    public mutating func measuredLag(_ lag: Int64, keep: Duration, at now: ContinuousClock.Instant) {
        lagSamples.append(LagSample(at: now, lag: lag))
        while lagSamples.count > 2, now - lagSamples[1].at > keep {
            lagSamples.removeFirst()
        }
    }

    /// The reasons to answer 503 at `now`, one sentence each (durations in whole seconds, `30s`);
    /// empty when none applies.
    public func reasons(at now: ContinuousClock.Instant, _ thresholds: Thresholds) -> [String] {
        var reasons: [String] = []
        if let since = unreachableSince, now - since >= thresholds.brokerUnreachableAfter {
            reasons.append("Kafka unreachable for \(Self.seconds(now - since)): \(unreachableError ?? "no broker answered")")
        }
        let waits = (lagSamples.last?.lag ?? 0) + Int64(waiting)
        if inProcessing > 0 || waits > 0, now - lastProgress >= thresholds.stallAfter {
            reasons.append(
                "no record processed for \(Self.seconds(now - lastProgress)) while \(inProcessing) are in processing and \(waits) wait")
        }
        if let growth = lagGrowth(over: thresholds.lagGrowingFor) {
            reasons.append("lag grew at every measurement for \(Self.seconds(growth.span)): from \(growth.from) to \(growth.to)")
        }
        return reasons
    }

    /// The growth, if every sample of the last `window` (and the one before it) rose.
    func lagGrowth(over window: Duration) -> (from: Int64, to: Int64, span: Duration)? {
        guard let last = lagSamples.last else { return nil }
        var index = lagSamples.count - 1
        while index > 0, lagSamples[index - 1].lag < lagSamples[index].lag {
            index -= 1
            if last.at - lagSamples[index].at >= window {
                return (lagSamples[index].lag, last.lag, last.at - lagSamples[index].at)
            }
        }
        return nil
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds)s"
    }
}
