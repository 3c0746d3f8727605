import DocRelay
import DocRelayTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// What an operator installs to watch a hub: the relay's live `/metrics` checked by `promtool`,
/// the alert rules of deploy/prometheus checked and unit-tested by `promtool`, the Grafana
/// dashboard of deploy/grafana, and the metric names both use.
@Suite("Observability: promtool on live /metrics, the alert rules and the dashboard", .serialized)
struct ObservabilityTests {
    static let root = DeployConfigTests.root
    static let promtoolPackage = "prometheus (Debian)"

    /// The `docrelay_*` metric names a PromQL text refers to, histogram series named by their metric.
    static func metricNames(in expression: String) throws -> Set<String> {
        let regex = try Regex(#"docrelay_[a-z0-9_]+"#)
        return Set(expression.matches(of: regex).map { match in
            var name = String(expression[match.range])
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && !RelayMetrics.names.contains(name) {
                name = String(name.dropLast(suffix.count))
            }
            return name
        })
    }

    /// Every expression of deploy/grafana/docrelay-relay.json.
    static func dashboardExpressions() throws -> [String] {
        let data = try Data(contentsOf: root.appendingPathComponent("deploy/grafana/docrelay-relay.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        return panels.flatMap { panel in ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test("A live relay's /metrics passes promtool check metrics: every metric has # HELP and # TYPE, each metric the relay exports has its help text, and the same text without HELP fails the check")
    func liveRelayMetrics() async throws {
        let promtool = try RequiredTool.path("promtool", package: Self.promtoolPackage)
        let harness = try await RelayHarness(agencies: ["000.00.00.G22", "000.00.00.H58"], adminListen: "127.0.0.1:0")
        try await harness.startRelay(logLevel: "notice")
        let relay = try #require(harness.relay)
        let address = try await relay.adminAddress()
        var body = ""
        for _ in 0..<100 {
            if let (data, _) = try? await URLSession.shared.data(from: try #require(URL(string: "http://\(address)/metrics"))) {
                body = String(decoding: data, as: UTF8.self)
                if body.contains("docrelay_retries_total") { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        _ = try await harness.stopRelay()
        let check = try await run(promtool, ["check", "metrics"], input: Data(body.utf8))
        #expect(check.exitCode == 0, "promtool check metrics: \(check.standardOutput) \(check.standardError)\n\(body)")

        let lines = body.split(separator: "\n")
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) })
        #expect(typed.count >= 10, "\(typed)")
        for name in typed {
            #expect(helped.contains(name), "\(name) has no # HELP")
            #expect(RelayMetrics.names.contains(name), "\(name) is exported but not in RelayMetrics.help")
        }
        // promtool is not lenient: the same exposition without its HELP lines is refused.
        let bare = lines.filter { !$0.hasPrefix("# HELP ") }.joined(separator: "\n") + "\n"
        let refused = try await run(promtool, ["check", "metrics"], input: Data(bare.utf8))
        #expect(refused.exitCode != 0 && refused.standardError.contains("no help text"), "\(refused.standardError)")
    }

    @Test("A live agent's /metrics passes promtool check metrics, answers without a token (clients configured), and counts a spool file sent")
    func liveAgentMetrics() async throws {
        let promtool = try RequiredTool.path("promtool", package: Self.promtoolPackage)
        let harness = try await RelayHarness(agencies: ["000.00.00.G22", "000.00.00.G01"])
        let agent = try AgentProcess(code: "000.00.00.G22", harness: harness, send: true, inbox: true)
        try await agent.start()
        let address = try #require(agent.apiAddress)
        func scrape() async throws -> String {
            let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://\(address)/metrics")))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            return String(decoding: data, as: UTF8.self)
        }
        func value(_ name: String, in body: String) -> Double? {
            body.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        let before = try await scrape()
        #expect(value("docrelay_agent_outcomes_total", in: before) == 0, "\(before)")
        try agent.drop("cong-van.txt", Array("Công văn".utf8), sidecar: #"{"to": ["000.00.00.G01"], "id": "metrics-1"}"#)
        var after = before
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while (value("docrelay_agent_outcomes_total", in: after) ?? 0) < 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            after = try await scrape()
        }
        #expect(value("docrelay_agent_outcomes_total", in: after) == 1, "the spool file sent, one outcome: \(after)")
        _ = try await agent.stop()
        let check = try await run(promtool, ["check", "metrics"], input: Data(after.utf8))
        #expect(check.exitCode == 0, "promtool check metrics: \(check.standardOutput) \(check.standardError)\n\(after)")
        let lines = after.split(separator: "\n")
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) })
        #expect(typed.count >= 10 && typed.allSatisfy(helped.contains), "\(typed) \(helped)")
        #expect(value("docrelay_agent_waiting", in: after) == 0 && value("docrelay_agent_broker_unreachable", in: after) == 0, "\(after)")
    }

    @Test("deploy/prometheus/rules.yml passes promtool check rules, and promtool test rules passes a firing and a quiet case for every alert")
    func alertRules() async throws {
        let promtool = try RequiredTool.path("promtool", package: Self.promtoolPackage)
        let folder = Self.root.appendingPathComponent("deploy/prometheus")
        let check = try await run(promtool, ["check", "rules", folder.appendingPathComponent("rules.yml").path])
        #expect(check.exitCode == 0, "\(check.standardOutput) \(check.standardError)")
        let test = try await run(promtool, ["test", "rules", folder.appendingPathComponent("rules.test.yml").path])
        #expect(test.exitCode == 0, "\(test.standardOutput) \(test.standardError)")
        #expect(test.standardOutput.contains("SUCCESS"), "\(test.standardOutput)")

        let rules = try String(contentsOf: folder.appendingPathComponent("rules.yml"), encoding: .utf8)
        let tests = try String(contentsOf: folder.appendingPathComponent("rules.test.yml"), encoding: .utf8)
        let operations = try String(contentsOf: Self.root.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.hasPrefix("- alert: ") ? String(text.dropFirst("- alert: ".count)) : nil
        }
        #expect(alerts.count >= 12, "\(alerts)")
        for alert in alerts {
            // A case where it fires (exp_alerts with labels) and one where it must not.
            let cases = tests.components(separatedBy: "alertname: \(alert)\n").count - 1
            #expect(cases >= 1, "\(alert): no case in rules.test.yml")
            #expect(rules.contains("runbook: \"docs/operations.md#\(alert.lowercased())\""), "\(alert): runbook annotation")
            #expect(operations.contains("### \(alert)\n"), "\(alert): no runbook section in docs/operations.md")
        }
        for name in try Self.metricNames(in: rules) {
            #expect(RelayMetrics.names.contains(name), "rules.yml uses \(name), which the relay does not export")
        }
    }

    @Test("The Grafana dashboard shows documents by outcome, latency, retries by tier, dead letters by class, lag and inbox age, with metric names the relay exports")
    func dashboard() throws {
        let expressions = try Self.dashboardExpressions()
        let all = expressions.joined(separator: "\n")
        #expect(all.contains("sum by (outcome) (rate(docrelay_records_total"))
        #expect(all.contains("docrelay_end_to_end_latency_seconds_bucket"))
        #expect(all.contains("sum by (tier) (rate(docrelay_retries_total"))
        #expect(all.contains("sum by (class) (increase(docrelay_dead_letters_total"))
        #expect(all.contains("docrelay_consumer_lag"))
        #expect(all.contains("docrelay_inbox_oldest_unread_age_seconds"))
        let used = try Self.metricNames(in: all)
        #expect(used.count >= 10, "\(used)")
        for name in used {
            #expect(RelayMetrics.names.contains(name), "the dashboard uses \(name), which the relay does not export")
        }
        // The name check itself: a misspelt metric is caught.
        #expect(try Self.metricNames(in: "rate(docrelay_record_total[5m])").allSatisfy { !RelayMetrics.names.contains($0) })
    }
}
