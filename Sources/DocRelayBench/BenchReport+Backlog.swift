import Foundation

extension BenchReport {
    private func backlogMedian(_ metric: (BacklogResult) -> Double) -> Double? {
        Self.median(backlogs.map(metric))
    }

    private static func mebibytes(_ kibibytes: Double?) -> String {
        kibibytes.map { String(format: "%.0f MiB", $0 / 1024) } ?? "–"
    }

    /// The "relay's memory under a backlog" section of BENCHMARKS.md. `standalone`: made by
    /// `docrelay-bench backlog` alone, not by `make bench` (says so, with its date and load).
    func backlogSection(standalone: Bool = false) -> String {
        guard let first = backlogs.first else { return "" }
        let budgetMiB = Double(first.memoryBudget) / 1_048_576
        let backlogMiB = Double(first.backlog.documents * first.size) / 1_048_576
        let peak = backlogMedian { Double($0.backlog.memory.peakRSSKiB) }
        let base = backlogMedian { Double($0.baseline.memory.peakRSSKiB) }
        let above = peak.flatMap { peak in base.map { peak - $0 } }
        let runs = backlogs.count == 1 ? "one run" : "the median of \(backlogs.count) runs"
        let made = standalone
            ? "Made with `docrelay-bench backlog --output <file>` on \(Self.utc(date))"
                + (loadAverages.map { " (load average \($0.start) when it began, \($0.end) when it ended)" } ?? "")
                + ", \(runs), and pasted here by hand; `make bench` runs it too (`all`, once per repetition), "
                + "and writes this section itself."
            : "Figures: \(runs)."
        let verdict: String
        if let peak {
            let ratio = peak / 1024 / budgetMiB
            verdict = "The relay's peak RSS under the backlog is \(Self.mebibytes(peak)), "
                + String(format: "%.2f× the budget of %.0f MiB", ratio, budgetMiB)
                + (above.map { "; \(Self.mebibytes($0)) above the baseline run's peak" } ?? "")
                + ", while the backlog was \(String(format: "%.1f×", backlogMiB / budgetMiB)) the budget."
        } else {
            verdict = ""
        }
        let heap = backlogMedian { Double($0.backlog.memory.peakMallocInUseKiB) }
        let end = backlogMedian { Double($0.backlog.residentAtEndKiB) }
        let freeAtPeak = backlogMedian { Double($0.backlog.memory.mallocFreeKiB) }
        let ceiling = base.map { $0 / 1024 + budgetMiB }
        let explanation = """
            `limits.memory-budget` bounds the records the relay holds, shared out by \
            `RelayMemoryBudget` (docs/relay.md, "Memory"): what librdkafka prefetches for each consumer \
            and one fetch response beyond it (librdkafka caps `fetch.max.bytes` at the prefetch size), \
            what waits for a worker, what workers process and those records' copies in the producer's \
            queue until the broker acknowledges them; 15/16 of the budget in all. On top of the \
            baseline's peak (Swift runtime, OpenSSL, librdkafka's clients and their state for every \
            partition) the peak can therefore reach \(ceiling.map { String(format: "%.0f MiB", $0) } ?? "–"); \
            a document to several recipients has one copy per recipient in the producer's queue, which \
            the budget does not count (one recipient each here). \
            The relay's heap at its largest, as glibc counts it (`malloc_info`, sampled every 20 ms), was \
            \(Self.mebibytes(heap)); this benchmark does not break it down between librdkafka's queues, \
            the relay's records and the producer's copies. RSS does not fall back once all is delivered \
            (\(Self.mebibytes(end))): glibc keeps freed chunks in its arenas (8 per core) instead of \
            returning them to the system (\(Self.mebibytes(freeAtPeak)) free in them at the highest RSS \
            sampled), and 1 MiB buffers come from those arenas rather than from `mmap` once glibc's \
            dynamic mmap threshold has risen above 1 MiB (after the first mmapped one was freed). The peak \
            is `VmHWM`, not `ru_maxrss`: Linux's `exec` folds the peak of the address space it replaces \
            into `ru_maxrss`, and Foundation's `Process` spawns with `posix_spawn` (a `vfork`, sharing the \
            parent's), so the relay's `ru_maxrss` starts at the benchmark's RSS, the mock broker's copy of \
            the backlog included (\(Self.mebibytes(backlogMedian { Double($0.backlog.memory.ruMaxRSSKiB) })) \
            in this run).
            """
        return """
            ## The relay's memory under a backlog

            `docrelay-bench backlog` measures the relay's peak RSS when a backlog of documents of the \
            largest size waits for it, several times its `limits.memory-budget` (issue 10, point 8). The \
            hub is the relay benchmark's (`national`, \(RelayWorkload.agencyCount) agencies, RSA-2048 \
            signatures, acks signed ECDSA P-256), its relay `RelayService` built by `RelaySetup` from \
            `hub.yaml` as `docrelay relay --config` builds it, with `hub.yaml`'s defaults \
            (`limits.memory-budget` \(String(format: "%.0f", budgetMiB)) MiB, `limits.max-value-bytes` \
            \(Self.grouped(first.size)), \(first.workers) workers) but a 6 s session timeout and \
            `fetch.wait.max.ms=10`. Every document's value is \(Self.grouped(first.size)) bytes, the \
            largest the relay takes (with its headers, ~2.6 KiB, the record is just above 1 MiB). The \
            mock broker runs in the benchmark's process and the relay in a child process of its own \
            (`docrelay-bench backlog-relay --config hub.yaml`, stopped by SIGTERM as `docrelay relay` is), \
            so that the relay's peak RSS holds no copy the broker keeps (see below on `ru_maxrss`). The mock keeps ~5 MiB per \
            partition and silently drops older records: every agency's out and in topic has \
            \(first.partitions) partitions, no partition is given more than 4 documents (out partitions \
            chosen by the benchmark; document ids chosen so that the inbox writes, keyed by id, land \
            4 at most to a partition), and the run checks afterwards that no out or in partition lost a \
            record. Two relay processes, one after the other, in the same group: the baseline, with \
            \(first.baseline.documents) documents (one per agency) waiting, then the backlog, with \
            \(Self.grouped(first.backlog.documents)) documents waiting. Each starts once its documents \
            are in the out topics and is stopped once every inbox holds all its documents and every sender \
            all its acks (inbox high watermarks polled every 20 ms). Checked at the end: the inboxes hold \
            \(Self.grouped(first.inboxRecords)) records, exactly every document and every ack, nothing was \
            dead-lettered or retried, and the relay's group committed every out topic to its end. \
            \(made)

            \(backlogTable)
            \(verdict) \(explanation)

            """
    }

    /// The backlog table, as printed on standard output too.
    var backlogTable: String {
        guard let first = backlogs.first else { return "" }
        let budgetMiB = Double(first.memoryBudget) / 1_048_576
        func both(_ name: String, _ cell: (KeyPath<BacklogResult, BacklogRun>) -> String) -> String {
            "| \(name) | \(cell(\.baseline)) | \(cell(\.backlog)) |"
        }
        func median(_ run: KeyPath<BacklogResult, BacklogRun>, _ metric: (BacklogRun) -> Double) -> Double? {
            backlogMedian { metric($0[keyPath: run]) }
        }
        let rows = [
            "| | baseline | backlog |",
            "|---|---:|---:|",
            both("documents waiting × value size") { run in
                let documents = first[keyPath: run].documents
                let mebibytes = Double(documents * first.size) / 1_048_576
                return "\(Self.grouped(documents)) × 1 MiB = \(Self.grouped(Int(mebibytes.rounded()))) MiB "
                    + String(format: "(%.2f× the budget)", mebibytes / budgetMiB)
            },
            both("relay peak RSS (`VmHWM`)") { Self.mebibytes(median($0) { Double($0.memory.peakRSSKiB) }) },
            both("relay heap at its largest (glibc malloc, bytes in use)") {
                Self.mebibytes(median($0) { Double($0.memory.peakMallocInUseKiB) })
            },
            both("relay RSS once all was delivered, before its stop") { Self.mebibytes(median($0) { Double($0.residentAtEndKiB) }) },
            both("glibc malloc arenas / threads") { run in
                let arenas = median(run) { Double($0.memory.mallocArenas) }.map { String(format: "%.0f", $0) } ?? "–"
                let threads = median(run) { Double($0.memory.threads) }.map { String(format: "%.0f", $0) } ?? "–"
                return "\(arenas) / \(threads)"
            },
            both("time to drain: first document in an inbox → all delivered and acked (s)") { run in
                median(run, \.drainSeconds).map { String(format: "%.2f", $0) } ?? "–"
            },
            both("… from the relay process's start (s)") { run in
                median(run, \.secondsFromStart).map { String(format: "%.2f", $0) } ?? "–"
            },
            both("MB/s while draining") { run in
                median(run) { Double($0.documents * first.size) / $0.drainSeconds / 1e6 }.map { String(format: "%.0f", $0) } ?? "–"
            },
        ]
        return rows.joined(separator: "\n") + "\n"
    }
}
