import DocRelayAdmin
import Metrics
import Prometheus
import Testing

@Suite struct MetricsBootstrapTests {
    @Test func factoryUsesTheGivenTimerBuckets() {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricsBootstrap.makeFactory(
            registry: registry,
            timerBuckets: ["custom_seconds": [.milliseconds(1), .seconds(2)]]
        )
        Timer(label: "custom_seconds", factory: factory).record(.milliseconds(1500))
        Timer(label: "default_seconds", factory: factory).record(.seconds(200))
        let text = registry.emitToString()
        #expect(text.contains(#"custom_seconds_bucket{le="2.0"} 1"#))
        #expect(text.contains(#"custom_seconds_bucket{le="0.001"} 0"#))
        #expect(text.contains(#"default_seconds_bucket{le="300.0"} 1"#))
        #expect(text.contains(#"default_seconds_bucket{le="120.0"} 0"#))
    }
}
