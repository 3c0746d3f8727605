import DocRelayAdmin
import Metrics
import Prometheus
import Testing

@Suite("MetricsBootstrap")
struct MetricsBootstrapTests {
    @Test("Timers get the buckets named for them, and 5 ms to 5 min otherwise")
    func factoryUsesTheGivenTimerBuckets() {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricsBootstrap.makeFactory(
            registry: registry,
            timerBuckets: ["custom_seconds": [.milliseconds(1), .seconds(2)]]
        )
        Timer(label: "custom_seconds", factory: factory).record(duration: .milliseconds(1500))
        Timer(label: "default_seconds", factory: factory).record(duration: .seconds(200))
        let text = registry.emitToString()
        #expect(text.contains(#"custom_seconds_bucket{le="2.0"} 1"#))
        #expect(text.contains(#"custom_seconds_bucket{le="0.001"} 0"#))
        #expect(text.contains(#"default_seconds_bucket{le="0.005"} 0"#))
        #expect(text.contains(#"default_seconds_bucket{le="120.0"} 0"#))
        #expect(text.contains(#"default_seconds_bucket{le="300.0"} 1"#))
    }

    /// Bootstraps this test process's swift-metrics, as `main` does; safe because the bootstrap is
    /// idempotent and every other test passes its own factory.
    @Test("prometheus() bootstraps swift-metrics once and always returns that registry")
    func bootstrapOnce() {
        let registry = MetricsBootstrap.prometheus()
        #expect(MetricsBootstrap.prometheus() === registry)
        #expect(MetricsBootstrap.prometheus(timerBuckets: ["other": [.seconds(1)]]) === registry)
        Counter(label: "docrelay_bootstrap_test_total").increment()
        #expect(registry.emitToString().contains("docrelay_bootstrap_test_total 1"))
    }
}
