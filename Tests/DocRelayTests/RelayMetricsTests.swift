import DocRelay
import DocRelayCore
import Foundation
import Metrics
import MetricsTestKit
import Testing

@Suite("RelayMetrics records each measurement under its name and bounded labels")
struct RelayMetricsTests {
    private let backend = TestMetrics()
    private var metrics: RelayMetrics { RelayMetrics(factory: backend) }

    @Test("Each outcome counts under docrelay_records_total{outcome}")
    func outcomes() throws {
        let metrics = self.metrics
        metrics.recordOutcome(.delivered)
        metrics.recordOutcome(.delivered)
        metrics.recordOutcome(.forwarded)
        metrics.recordOutcome(.retried)
        metrics.recordOutcome(.deadLettered)
        metrics.recordOutcome(.acked)
        let expected = ["delivered": 2, "forwarded": 1, "retried": 1, "dead_lettered": 1, "acked": 1]
        for (outcome, count) in expected {
            let counter = try backend.expectCounter("docrelay_records_total", [("outcome", outcome)])
            #expect(counter.totalValue == Int64(count), "\(outcome)")
        }
        #expect(backend.counters(label: "docrelay_records_total").count == 5)
        #expect(RelayMetrics.Outcome.all.map(\.rawValue).sorted() == expected.keys.sorted())
    }

    @Test("Records met in the acceptance ledger count by kind, replay and conflict, from zero")
    func duplicates() throws {
        let metrics = self.metrics
        for kind in ["replay", "conflict"] {
            #expect(try backend.expectCounter("docrelay_duplicates_total", [("kind", kind)]).totalValue == 0)
        }
        metrics.duplicate(.replay)
        metrics.duplicate(.replay)
        metrics.duplicate(.conflict)
        #expect(try backend.expectCounter("docrelay_duplicates_total", [("kind", "replay")]).totalValue == 2)
        #expect(try backend.expectCounter("docrelay_duplicates_total", [("kind", "conflict")]).totalValue == 1)
    }

    @Test("Retries count by tier, dead letters by class; the known ones start at zero")
    func retriesAndDeadLetters() throws {
        let metrics = self.metrics
        for tier in ["5s", "1m", "10m", "1h"] {
            #expect(try backend.expectCounter("docrelay_retries_total", [("tier", tier)]).totalValue == 0)
        }
        for errorClass in ["signature", "sender", "recipient", "malformed", "oversize", "exhausted", "duplicate"] {
            #expect(try backend.expectCounter("docrelay_dead_letters_total", [("class", errorClass)]).totalValue == 0)
        }

        metrics.retried(tier: "1m")
        metrics.retried(tier: try #require(RetryTier(parsing: "1m")))
        metrics.deadLettered(errorClass: "signature")
        metrics.deadLettered(errorClass: .exhausted)
        #expect(try backend.expectCounter("docrelay_retries_total", [("tier", "1m")]).totalValue == 2)
        #expect(try backend.expectCounter("docrelay_retries_total", [("tier", "5s")]).totalValue == 0)
        #expect(try backend.expectCounter("docrelay_dead_letters_total", [("class", "signature")]).totalValue == 1)
        #expect(try backend.expectCounter("docrelay_dead_letters_total", [("class", "exhausted")]).totalValue == 1)
        // The outcome counter is separate: the relay calls recordOutcome as well.
        #expect(try backend.expectCounter("docrelay_records_total", [("outcome", "retried")]).totalValue == 0)
    }

    @Test("A configured tier starts at zero too")
    func configuredTiers() throws {
        let tiers = ["500ms", "2s"].compactMap { RetryTier(parsing: $0) }
        _ = RelayMetrics(tiers: tiers, factory: backend)
        #expect(try backend.expectCounter("docrelay_retries_total", [("tier", "500ms")]).totalValue == 0)
        #expect(try backend.expectCounter("docrelay_retries_total", [("tier", "2s")]).totalValue == 0)
        #expect(backend.counters(label: "docrelay_retries_total").count == 2)
    }

    @Test("Latencies record as timers without labels; a negative one (clock skew) as zero")
    func timers() throws {
        let metrics = self.metrics
        metrics.endToEndLatency(.milliseconds(1500))
        metrics.endToEndLatency(.seconds(-2))
        metrics.processing(.microseconds(750))
        let endToEnd = try backend.expectTimer("docrelay_end_to_end_latency_seconds")
        #expect(endToEnd.values == [1_500_000_000, 0])
        #expect(endToEnd.dimensions.isEmpty)
        #expect(try backend.expectTimer("docrelay_processing_seconds").values == [750_000])
    }

    @Test("Lag is a gauge by group and topic; agency out topics sum into one series")
    func lag() throws {
        let metrics = self.metrics
        metrics.setLag(7, group: "relay-national", topic: "docrelay.retry.5s")
        metrics.setLag(3, group: "relay-national", topic: "docrelay.out.000.00.00.G22")
        metrics.setLag(4, group: "relay-national", topic: "docrelay.out.000.00.00.H23")
        metrics.setLag(1, group: "relay-national", topic: "docrelay.out.000.00.00.G22")
        metrics.setLag(-1, group: "relay-national", topic: "docrelay.retry.5s")  // unknown: kept

        let retry = try backend.expectGauge("docrelay_consumer_lag", [("group", "relay-national"), ("topic", "docrelay.retry.5s")])
        #expect(retry.lastValue == 7)
        let out = try backend.expectGauge("docrelay_consumer_lag", [("group", "relay-national"), ("topic", "docrelay.out.*")])
        #expect(out.lastValue == 5)
        #expect(backend.recorders(label: "docrelay_consumer_lag").count == 2)
        let labels = backend.recorders(label: "docrelay_consumer_lag").flatMap { $0.dimensions.map(\.1) }
        #expect(!labels.contains { $0.contains("G22") || $0.contains("H23") })
    }

    @Test("One measurement of 10,000 agencies' out topics: one series, their sum, set once; a series no longer measured drops to 0")
    func lagOfManyTopics() throws {
        let metrics = self.metrics
        var lags: [String: Int64] = ["docrelay.retry.5s": 2]
        for index in 0..<10_000 {
            lags["docrelay.out.000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"] = Int64(index % 3)
        }
        metrics.setLags(lags, group: "relay-national")
        let out = try backend.expectGauge("docrelay_consumer_lag", [("group", "relay-national"), ("topic", "docrelay.out.*")])
        #expect(out.lastValue == 9_999)
        #expect(out.values.count == 1, "published once, not once per topic")
        #expect(backend.recorders(label: "docrelay_consumer_lag").count == 2)
        metrics.setLags(["docrelay.out.000.00.01.H58": 4], group: "relay-national")
        #expect(out.lastValue == 4, "the measurement replaces the last one")
        let retry = try backend.expectGauge("docrelay_consumer_lag", [("group", "relay-national"), ("topic", "docrelay.retry.5s")])
        #expect(retry.lastValue == 0)
    }

    @Test("The out series follows the configured topic prefix")
    func lagWithPrefix() throws {
        let metrics = RelayMetrics(topics: TopicNames(prefix: "acme"), factory: backend)
        metrics.setLag(2, group: "g", topic: "acme.out.000.00.00.G22")
        #expect(try backend.expectGauge("docrelay_consumer_lag", [("group", "g"), ("topic", "acme.out.*")]).lastValue == 2)
    }

    @Test("Histogram buckets rise strictly and span what each timer is for")
    func buckets() {
        for buckets in [RelayMetrics.endToEndLatencyBuckets, RelayMetrics.processingBuckets] {
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
        }
        #expect(RelayMetrics.endToEndLatencyBuckets.first == .milliseconds(5))
        #expect(RelayMetrics.endToEndLatencyBuckets.last == .seconds(300))
        #expect(RelayMetrics.timerBuckets.keys.sorted() == ["docrelay_end_to_end_latency_seconds", "docrelay_processing_seconds"])
    }
}
