public import DocRelayCore
import DocRelayDaemon
public import Metrics

/// What the relay measures, recorded through the swift-metrics API: the relay never knows the
/// backend (`main` bootstraps Prometheus, tests pass a `TestMetrics`).
///
/// Labels stay bounded: outcomes, retry tiers and error classes are fixed sets, consumer groups
/// and topics come from configuration, and every agency's `out` topic is counted under one
/// `<prefix>.out.*` series. No document id or agency code is ever a label.
///
/// `docrelay_records_total` counts decisions; `docrelay_retries_total` and
/// `docrelay_dead_letters_total` break two of them down. For a record sent to a retry tier call
/// both `recordOutcome(.retried)` and `retried(tier:)`; for the DLQ, `recordOutcome(.deadLettered)`
/// and `deadLettered(errorClass:)`.
public struct RelayMetrics: Sendable {
    let factory: any MetricsFactory
    private let topics: TopicNames
    private let outcomes: [Outcome: Counter]
    private let endToEnd: Timer
    private let processingTime: Timer
    private let lag: LagTable

    /// - Parameters:
    ///   - topics: the hub's topic names, to tell agency `out` topics apart in lag.
    ///   - tiers: retry tiers whose counters start at zero (so rate and increase see the first one).
    ///   - factory: the metrics backend; the one `main` bootstrapped unless a test passes its own.
    ///     Metrics bind to their backend when made, so create `RelayMetrics` after the bootstrap.
    public init(
        topics: TopicNames = TopicNames(),
        tiers: [RetryTier] = RetryTier.defaults,
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.factory = factory
        self.topics = topics
        var outcomes: [Outcome: Counter] = [:]
        for outcome in Outcome.all {
            outcomes[outcome] = Counter(label: Name.records, dimensions: [(Label.outcome, outcome.rawValue)], factory: factory)
        }
        self.outcomes = outcomes
        self.endToEnd = Timer(label: Name.endToEndLatency, factory: factory)
        self.processingTime = Timer(label: Name.processing, factory: factory)
        self.lag = LagTable()
        for tier in tiers {
            _ = Counter(label: Name.retries, dimensions: [(Label.tier, tier.name)], factory: factory)
        }
        for errorClass in Self.knownErrorClasses {
            _ = Counter(label: Name.deadLetters, dimensions: [(Label.errorClass, errorClass.rawValue)], factory: factory)
        }
        for kind in Duplicate.all {
            _ = Counter(label: Name.duplicates, dimensions: [(Label.kind, kind.rawValue)], factory: factory)
        }
        for outcome in TrustReloadService.Outcome.all {
            _ = Counter(label: Name.trustReloads, dimensions: [(Label.outcome, outcome.name)], factory: factory)
        }
    }

    /// Counts one decision: `docrelay_records_total{outcome}`.
    public func recordOutcome(_ outcome: Outcome) {
        if let counter = outcomes[outcome] {
            counter.increment()
        } else {
            Counter(label: Name.records, dimensions: [(Label.outcome, outcome.rawValue)], factory: factory).increment()
        }
    }

    /// Counts one record sent to a retry tier: `docrelay_retries_total{tier}` (the tier's name,
    /// `5s`, `1m`, …, as configured).
    public func retried(tier: String) {
        Counter(label: Name.retries, dimensions: [(Label.tier, tier)], factory: factory).increment()
    }

    /// Counts one record sent to `tier`.
    public func retried(tier: RetryTier) {
        retried(tier: tier.name)
    }

    /// Counts one dead letter: `docrelay_dead_letters_total{class}` (a `dr-error-class` value).
    public func deadLettered(errorClass: String) {
        Counter(label: Name.deadLetters, dimensions: [(Label.errorClass, errorClass)], factory: factory).increment()
    }

    /// Counts one dead letter of `errorClass`.
    public func deadLettered(errorClass: ErrorClass) {
        deadLettered(errorClass: errorClass.rawValue)
    }

    /// What a record met in the acceptance ledger (contract, "Transport identity").
    public enum Duplicate: String, Sendable, CaseIterable {
        /// The same sender, id and content accepted before: not delivered again.
        case replay
        /// The same sender and id with another content: dead-lettered `duplicate`.
        case conflict

        static let all = allCases
    }

    /// Counts one record met in the acceptance ledger: `docrelay_duplicates_total{kind}`.
    public func duplicate(_ kind: Duplicate) {
        Counter(label: Name.duplicates, dimensions: [(Label.kind, kind.rawValue)], factory: factory).increment()
    }

    /// Records the time from `dr-created` to the write into a recipient's inbox:
    /// `docrelay_end_to_end_latency_seconds`. A negative duration (clock skew) counts as zero.
    public func endToEndLatency(_ duration: Duration) {
        endToEnd.record(duration: max(duration, .zero))
    }

    /// Records the time the relay spent on one record, from consumed to its outcome durable:
    /// `docrelay_processing_seconds`.
    public func processing(_ duration: Duration) {
        processingTime.record(duration: max(duration, .zero))
    }

    /// Sets the lag (messages behind the high watermark, summed over this instance's partitions)
    /// of `group` on `topic`: `docrelay_consumer_lag{group, topic}`. Agency `out` topics are summed
    /// into one `<prefix>.out.*` series. A negative lag (unknown) leaves the last value; set 0 when
    /// a topic's partitions are revoked.
    public func setLag(_ lag: Int64, group: String, topic: String) {
        guard lag >= 0 else { return }
        let series = lagSeries(of: topic)
        let gauge = Gauge(label: Name.consumerLag, dimensions: [(Label.group, group), (Label.topic, series)], factory: factory)
        self.lag.set(lag, group: group, topic: topic, series: series) { total in gauge.record(total) }
    }

    /// Sets the lag of every topic `group` reads from one measurement (topic -> lag; negative
    /// values are left out): one gauge per series, agency `out` topics summed into one. A series
    /// none of whose topics is measured any more drops to 0.
    public func setLags(_ lags: [String: Int64], group: String) {
        self.lag.replace(lags.filter { $0.value >= 0 }, group: group, series: lagSeries(of:)) { series, total in
            Gauge(label: Name.consumerLag, dimensions: [(Label.group, group), (Label.topic, series)], factory: factory).record(total)
        }
    }

    /// The `topic` label of a topic's lag: the topic itself, or `<prefix>.out.*` for an agency's.
    func lagSeries(of topic: String) -> String {
        topics.agencyCode(ofOutTopic: topic) == nil ? topic : "\(topics.prefix).out.*"
    }

    /// The contract's error classes, whose DLQ counters start at zero.
    static let knownErrorClasses: [ErrorClass] = [.signature, .sender, .recipient, .malformed, .oversize, .exhausted, .duplicate, .incomplete]
}
