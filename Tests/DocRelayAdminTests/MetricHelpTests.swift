import DocRelayAdmin
import Metrics
import Prometheus
import Testing

@Suite("MetricHelp: # HELP lines in the exposition")
struct MetricHelpTests {
    @Test("Each metric with a help text gets one # HELP line right before its # TYPE line; others are left alone; the samples are unchanged")
    func addsHelpBeforeType() {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricsBootstrap.makeFactory(registry: registry)
        Counter(label: "docrelay_a_total", dimensions: [("class", "x")], factory: factory).increment()
        Counter(label: "docrelay_a_total", dimensions: [("class", "y")], factory: factory).increment(by: 2)
        Gauge(label: "docrelay_b", factory: factory).record(3)
        Gauge(label: "other", factory: factory).record(1)
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        let help = MetricHelp(["docrelay_a_total": "As counted.", "docrelay_b": "Line one\nback\\slash."])
        let text = String(decoding: help.adding(to: bytes), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let typeA = lines.firstIndex(of: "# TYPE docrelay_a_total counter")
        #expect(typeA.map { lines[$0 - 1] } == "# HELP docrelay_a_total As counted.", "\(text)")
        #expect(lines.filter { $0.hasPrefix("# HELP docrelay_a_total") }.count == 1)
        #expect(lines.contains(#"# HELP docrelay_b Line one\nback\\slash."#), "\(text)")
        #expect(!lines.contains { $0.hasPrefix("# HELP other") })
        // Nothing else changes: without the HELP lines it is the registry's text, byte for byte.
        let original = String(decoding: bytes, as: UTF8.self)
        #expect(lines.filter { !$0.hasPrefix("# HELP ") }.joined(separator: "\n") == original)
        // Applied twice, nothing is added twice.
        #expect(help.adding(to: help.adding(to: bytes)) == help.adding(to: bytes))
    }
}
