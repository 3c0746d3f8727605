import Foundation

extension BenchReport {
    /// The "national hub" section of BENCHMARKS.md (issue 16): each figure of the 10,000-agency
    /// hub beside the 20-agency one of the same run (`docrelay-bench scale`).
    static func scaleSection(_ results: [ScaleResult], date: Date = Date(), standalone: Bool = true) -> String {
        guard let small = results.first(where: { $0.agencies < 1_000 }), let large = results.first(where: { $0.agencies >= 1_000 }) else {
            return ""
        }
        func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
        func mebibytes(_ kibibytes: Int) -> String { String(format: "%.0f MiB", Double(kibibytes) / 1024) }
        func milliseconds(_ value: Double) -> String { String(format: "%.0f ms", value) }
        func row(_ name: String, _ value: (ScaleResult) -> String) -> String {
            "| \(name) | \(value(small)) | \(value(large)) |"
        }
        let made = standalone
            ? "Made with `swift build -c release --product docrelay && swift build -c release --product docrelay-bench && .build/release/docrelay-bench scale` on \(utc(date)), one run, "
                + "load average \(ProcessStats.loadAverage()) when it ended; `make bench` runs it too (`all`, once) and writes this section itself."
            : "One run of `docrelay-bench scale` within `make bench`."
        return """
            ## A national hub: \(grouped(large.agencies)) agencies on one relay (issue 16)

            \(made) Each hub on the embedded broker in the benchmark's process (1 broker, 1 partition per \
            topic), the real `docrelay relay` binary as a child process (its memory alone). Provision: \
            every topic of the hub's plan created as `docrelay broker --provision` does. Ready: from \
            spawning the relay to its first document in an inbox (sent at the spawn; the mock's group \
            join alone takes ~3 s). RSS: the relay process's `VmRSS` 15 s after it was ready, and its \
            highest sampled every 200 ms under the load. Load: \(grouped(large.documents)) documents of 1 KiB \
            at \(grouped(Int(large.rate))) a second, each from a random agency (every agency has a \
            certificate) to another; latency from the send to the relay's write into the inbox (the \
            record's CreateTime). Lag: the relay's first lag measurement (its log).

            | | \(grouped(small.agencies)) agencies | \(grouped(large.agencies)) agencies |
            |---|---:|---:|
            \(row("topics") { grouped($0.topics) })
            \(row("provision") { seconds($0.provisionSeconds) })
            \(row("relay ready (first document delivered)") { seconds($0.readySeconds) })
            \(row("RSS at rest") { mebibytes($0.restRSSKiB) })
            \(row("RSS under load (peak)") { mebibytes($0.loadRSSKiB) })
            \(row("one-hop latency p50") { milliseconds($0.latencyP50Milliseconds) })
            \(row("one-hop latency p99") { milliseconds($0.latencyP99Milliseconds) })
            \(row("one lag measurement") { $0.lagMilliseconds.map { "\($0) ms" } ?? "–" })
            \(row("SIGTERM to exit") { seconds($0.stopSeconds) })

            """
    }
}
