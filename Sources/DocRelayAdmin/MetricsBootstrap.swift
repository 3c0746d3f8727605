public import Prometheus
import Metrics
import Synchronization

/// Installs the process's metrics backend: swift-metrics over Prometheus.
///
/// Only `main` calls this (libraries record through the swift-metrics API and never pick a
/// backend). swift-metrics may be bootstrapped once per process; the first call does it and every
/// later call returns the same registry, whatever buckets it asks for.
public enum MetricsBootstrap {
    /// Histogram buckets for every timer without its own: 5 ms to 5 min, roughly ×2.5 apart.
    public static let defaultTimerBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300),
    ]

    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics with a `PrometheusMetricsFactory` (once per process) and returns
    /// the registry that `/metrics` renders.
    ///
    /// - Parameter timerBuckets: histogram buckets by timer label (e.g. `RelayMetrics.timerBuckets`);
    ///   other timers get ``defaultTimerBuckets``.
    public static func prometheus(timerBuckets: [String: [Duration]] = [:]) -> PrometheusCollectorRegistry {
        registry.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(makeFactory(registry: registry, timerBuckets: timerBuckets))
            installed = registry
            return registry
        }
    }

    /// The factory ``prometheus(timerBuckets:)`` installs, without installing it (for tests).
    public static func makeFactory(
        registry: PrometheusCollectorRegistry,
        timerBuckets: [String: [Duration]] = [:]
    ) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = defaultTimerBuckets
        factory.durationHistogramBuckets = timerBuckets
        return factory
    }
}
