import Foundation

extension BenchReport {
    /// The relay runs of one workload.
    private func relayRuns(_ workload: RelayWorkload) -> [RelayResult] {
        relays.filter { $0.size == workload.size && $0.records == workload.records }
    }

    /// The workloads that have relay runs, in `RelayWorkload.standard` order.
    private var relayWorkloads: [RelayWorkload] {
        RelayWorkload.standard.filter { !relayRuns($0).isEmpty }
    }

    /// The median records/s of a pass-through implementation at `size`.
    private func passThroughRate(_ impl: Implementation, size: Int) -> Double? {
        Self.median(results.filter { $0.impl == impl.rawValue && $0.size == size }.map(\.recordsPerSecond))
    }

    private func relayMedian(_ workload: RelayWorkload, _ metric: (RelayResult) -> Double) -> Double? {
        Self.median(relayRuns(workload).map(metric))
    }

    /// The "Relay" section of BENCHMARKS.md.
    var relaySection: String {
        guard let first = relays.first else { return "" }
        let aim = RelayWorkload.standard.first { $0.size == 4096 }
        let relay4K = aim.flatMap { relayMedian($0, \.recordsPerSecond) }
        let raw4K = passThroughRate(.raw, size: 4096)
        let verdict: String
        if let relay4K, let raw4K, raw4K > 0 {
            let ratio = relay4K / raw4K
            verdict = ratio >= 0.6
                ? "**met**: the relay reaches \(String(format: "%.2f", ratio))× raw at 4 KiB"
                : "**not met**: the relay reaches \(String(format: "%.2f", ratio))× raw at 4 KiB "
                    + "(\(Self.grouped(Int(relay4K.rounded()))) of \(Self.grouped(Int(raw4K.rounded()))) records/s; "
                    + "60% would be \(Self.grouped(Int((raw4K * 0.6).rounded()))))"
        } else {
            verdict = "not measured in this run (it needs the 4 KiB relay and raw runs)"
        }
        let fastVerify = Self.median(verifications.map(\.fastPerSecond))
        let budget = raw4K.map { Double(ProcessStats.processorCount) / ($0 * 0.6) * 1e6 }
        let verifyCost = fastVerify.map { 1e6 / $0 }
        let budgetSentence: String
        if let budget, let verifyCost, let raw4K {
            let copyCost = Double(ProcessStats.processorCount) / raw4K * 1e6
            budgetSentence = """
                At 60% of this run's raw figure, \(ProcessStats.processorCount) cores leave \
                \(String(format: "%.0f", budget)) µs of CPU per document for everything (mock broker included); \
                the RSA-2048 check of `FastCMSVerifier` alone takes \(String(format: "%.0f", verifyCost)) µs \
                (Signature verification, below) and `raw`, which only copies records, spends up to \
                \(String(format: "%.0f", copyCost)) µs on each\
                \(verifyCost + copyCost > budget ? ": together already more than the budget" : ""), before the \
                ack's ECDSA P-256 signature (~36 µs), its events and its writes.
                """
        } else {
            budgetSentence = ""
        }
        let lowered = RelayMeasurement.mockFetchWait.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ")
        return """
            ## The relay

            `docrelay-bench relay` runs `RelayService` in its own process, built by `RelaySetup` from a \
            `hub.yaml` as `docrelay relay --config` builds it, in a `ServiceGroup`, against the same kind of \
            embedded cluster as the pass-through (1 broker). The hub `national` has \(RelayWorkload.agencyCount) \
            agencies with RSA-2048 certificates (as agencies' document-signing certificates usually are), \
            each bound in the directory by its SHA-256 fingerprint; the hub's own relay certificate has an \
            ECDSA P-256 key, as issue 4 asks, and is bound under the hub's `certificates`. Every out and in \
            topic has \(RelayWorkload.agencyPartitions) partitions, `docrelay.events` \(RelayWorkload.eventPartitions). \
            Each document goes from one agency to one other (every agency sends and receives as many), \
            `dr-content-type: application/octet-stream`, signed by its sender before the relay starts \
            (on both cores, not timed). For every document the relay does all it does in production: \
            strict header checks and full verification by `FastCMSVerifier` (the CMS signature over the \
            signature base, the chain to the CA at `dr-created`, the certificate bound to `dr-from`, the \
            value's SHA-256, the trusted-time rules at the hub's clock), the hub's acceptance (`dr-accepted` \
            and its signature, ECDSA P-256, CMS) on the record it delivers, a look-up in the acceptance \
            ledger and one entry written to it (`docrelay.accepted`), one write into the recipient's inbox, \
            one ack signed by the hub (ECDSA P-256, CMS) into the sender's inbox once the delivery is \
            durable, three events (`accepted`, `delivered`, `acked`), and a commit of the document's offset \
            only once all of it is durable. \
            The relay runs with `hub.yaml`'s defaults (\(first.workers.map(String.init) ?? "256") workers, \
            `linger.ms=5`, idempotent producer with `acks=all`) except a 6 s session timeout and \(lowered): \
            the mock cluster holds a fetch that finds no new data for the whole `fetch.wait.max.ms` \
            (500 ms by default) even when data arrives meanwhile, where a real broker answers at once; with \
            the default, the latency below would be the mock's (p50 ~300 ms, p99 ~550 ms in a trial run).

            Throughput: \(Self.grouped(first.records)) documents (at 4 KiB; see the table) wait in the out \
            topics when the relay starts; the clock starts when the first document lands in an inbox (after \
            the mock's ~3 s group join) and stops when every inbox holds all its documents and every sender \
            all its acks (inbox high watermarks polled every 20 ms, so ±20 ms). Latency: right after, in the \
            same process, \(Self.grouped(first.latencyDocuments)) more documents are sent one by one at \
            \(Int(((RelayWorkload.standard.first?.latencyLoad ?? 0.4) * 100).rounded()))% of the throughput just \
            measured; each is timed from its send (the agency's `produce` call) to its reading from the \
            recipient's inbox by a consumer in the same process ("until the inbox write": to the \
            CreateTime the relay's producer gave the inbox record). The relay is then stopped gracefully \
            and every run is checked: each inbox holds exactly its documents and acks, the dead-letter and \
            retry topics are empty, every document has its events, and the relay's group committed every \
            out topic to its end. Ratios are to the medians of `raw` and `layer` above, same run, same \
            value size. CPU is the whole process's (relay, mock broker, the benchmark's polling) over the \
            throughput phase, per document.

            \(relayTable)
            Aim of issue 4, at least 60% of raw pass-through for 4 KiB documents: \(verdict). The aim was \
            set against the field notes' raw baseline of 18.6k records/s at 4 KiB; on this machine raw \
            reaches ~80k records/s at 4 KiB, and between 70k and 120k from one `make bench` to the next \
            (\(raw4K.map { Self.grouped(Int($0.rounded())) } ?? "–") in this run\
            \(raw4K.map { String(format: ", %.1f× the field notes' figure", $0 / 18_600) } ?? "")), so 60% of \
            it is a far harder target than the one the issue had in mind. \(budgetSentence)

            \(Self.relayProfile)

            """
    }

    /// The relay table, as printed on standard output too.
    var relayTable: String {
        let workloads = relayWorkloads
        guard !workloads.isEmpty else { return "" }
        func row(_ name: String, _ cell: (RelayWorkload) -> String) -> String {
            "| \(name) | " + workloads.map(cell).joined(separator: " | ") + " |"
        }
        func rate(_ value: Double?) -> String { value.map { Self.grouped(Int($0.rounded())) } ?? "–" }
        func ratio(_ value: Double?, _ base: Double?) -> String {
            guard let value, let base, base > 0 else { return "–" }
            return String(format: "%.3f×", value / base)
        }
        func milliseconds(_ p50: Double?, _ p99: Double?) -> String {
            guard let p50, let p99 else { return "–" }
            return String(format: "%.0f / %.0f", p50, p99)
        }
        let header = "| | " + workloads.map { "\(Self.sizeName($0.size)) documents" }.joined(separator: " | ") + " |"
        let rule = "|---|" + workloads.map { _ in "---:|" }.joined()
        let rows = [
            row("documents (throughput phase)") { Self.grouped($0.records) },
            row("records/s (documents)") { rate(relayMedian($0, \.recordsPerSecond)) },
            row("MB/s") { relayMedian($0, \.megabytesPerSecond).map { String(format: "%.1f", $0) } ?? "–" },
            row("÷ raw pass-through") { ratio(relayMedian($0, \.recordsPerSecond), passThroughRate(.raw, size: $0.size)) },
            row("÷ layer pass-through") {
                ratio(relayMedian($0, \.recordsPerSecond), passThroughRate(.layer, size: $0.size))
            },
            row("latency p50 / p99, send → read from the inbox (ms)") {
                milliseconds(relayMedian($0, \.latencyP50Milliseconds), relayMedian($0, \.latencyP99Milliseconds))
            },
            row("… until the relay's inbox write, p50 / p99 (ms)") {
                milliseconds(
                    relayMedian($0, \.relayLatencyP50Milliseconds), relayMedian($0, \.relayLatencyP99Milliseconds))
            },
            row("latency phase: documents, at (documents/s)") { workload in
                let runs = relayRuns(workload)
                return "\(Self.grouped(runs.first?.latencyDocuments ?? 0)) at \(rate(Self.median(runs.map(\.latencyRate))))"
            },
            row("CPU per document, whole process (µs)") { workload in
                relayMedian(workload) { $0.cpuSeconds / Double($0.records) * 1e6 }.map { String(format: "%.0f", $0) } ?? "–"
            },
            row("peak RSS") { relayMedian($0) { Double($0.peakRSSKiB) }.map { String(format: "%.0f MiB", $0 / 1024) } ?? "–" },
            row("time (s)") { relayMedian($0, \.seconds).map { String(format: "%.2f", $0) } ?? "–" },
        ]
        return ([header, rule] + rows).joined(separator: "\n") + "\n"
    }
}
