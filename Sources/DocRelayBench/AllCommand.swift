import ArgumentParser
import Foundation

/// `docrelay-bench all`: every combination (raw and layer × 1 KiB and 4 KiB), the relay
/// (`relay` at 4 KiB and 1 KiB), the latency across four hubs (`hops`) and the relay's memory
/// under a backlog of the largest documents (`backlog`), a hub of 10,000 agencies beside one of
/// 20 (`scale`, once), each run in a child
/// process `repetitions` times, alternating raw and layer, then `verify` as many times; the
/// medians go to a markdown report and to standard output.
struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every pass-through combination, the relay, the four-hub latency, the backlog memory and the verification benchmark; write the medians as markdown.")

    @Option(help: "Write the markdown report to this file (e.g. BENCHMARKS.md).")
    var output: String?

    @Option(help: "Runs of each combination; the median is reported.")
    var repetitions: Int = 3

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() async throws {
        let loadAtStart = ProcessStats.loadAverage()
        var results: [BenchResult] = []
        var relays: [RelayResult] = []
        var hops: [HopsResult] = []
        var backlogs: [BacklogResult] = []
        var larges: [LargeResult] = []
        let total = repetitions * BenchWorkload.standard.count * Implementation.allCases.count
        for repetition in 0..<repetitions {
            for workload in BenchWorkload.standard {
                // Alternate which goes first, so neither always runs on a warmer machine.
                let order: [Implementation] = repetition % 2 == 0 ? [.raw, .layer] : [.layer, .raw]
                for impl in order {
                    let result = try await ChildRun.measure(impl, workload: workload)
                    results.append(result)
                    Self.progress(
                        "[\(results.count)/\(total)] \(impl.rawValue) \(workload.size) B × \(workload.records): "
                            + "\(Int(result.recordsPerSecond.rounded())) records/s, \(result.peakRSSKiB) KiB peak RSS")
                }
            }
            for workload in RelayWorkload.standard {
                let result: RelayResult = try await ChildRun.run([
                    "relay", "--size", String(workload.size), "--records", String(workload.records),
                    "--latency-documents", String(workload.latencyDocuments),
                    "--latency-load", String(workload.latencyLoad),
                ])
                relays.append(result)
                Self.progress(
                    "[relay \(repetition + 1)/\(repetitions)] \(workload.size) B × \(workload.records): "
                        + "\(Int(result.recordsPerSecond.rounded())) records/s, latency p50 "
                        + "\(Int(result.latencyP50Milliseconds.rounded())) ms, p99 \(Int(result.latencyP99Milliseconds.rounded())) ms, "
                        + "\(result.peakRSSKiB) KiB peak RSS")
            }
            let hopsResult: HopsResult = try await ChildRun.run(["hops"])
            hops.append(hopsResult)
            Self.progress("[hops \(repetition + 1)/\(repetitions)] " + Self.summary(hopsResult))
            let backlog: BacklogResult = try await ChildRun.run(["backlog"])
            backlogs.append(backlog)
            Self.progress(
                "[backlog \(repetition + 1)/\(repetitions)] baseline: \(BacklogMeasurement.summary(backlog.baseline)); "
                    + "backlog: \(BacklogMeasurement.summary(backlog.backlog))")
            let large: LargeResult = try await ChildRun.run(["large"])
            larges.append(large)
            Self.progress(
                "[large \(repetition + 1)/\(repetitions)] \(large.documents) × \(large.size) B: relay "
                    + String(format: "%.1f MB/s, raw %.1f MB/s, peak RSS %d KiB", large.relayMegabytesPerSecond, large.rawMegabytesPerSecond, large.peakRSSKiB))
        }
        // The national hub (issue 16): once, not per repetition (each run takes minutes).
        let scales = try await ScaleCommand.measureAll()
        var verifications: [VerifyResult] = []
        for repetition in 0..<repetitions {
            let result: VerifyResult = try await ChildRun.run(["verify"])
            verifications.append(result)
            let speed = result.opensslSpeedVerifyPerSecond.map { "\(Int($0.rounded())) /s" }
                ?? (result.opensslSpeedNote ?? "not measured")
            Self.progress(
                "[verify \(repetition + 1)/\(repetitions)] FastCMSVerifier \(Int(result.fastPerSecond.rounded())) /s, "
                    + "CMS_verify \(Int(result.opensslCMSPerSecond.rounded())) /s, openssl speed rsa2048 verify \(speed)")
        }
        var report = BenchReport(
            results: results, verifications: verifications, repetitions: repetitions, date: Date())
        report.relays = relays
        report.hops = hops
        report.backlogs = backlogs
        report.larges = larges
        report.scales = scales
        report.loadAverages = (loadAtStart, ProcessStats.loadAverage())
        print(report.tables)
        if let output {
            do {
                try Data(report.markdown.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw BenchFailure("cannot write \(output): \(error)")
            }
            Self.progress("wrote \(output)")
        }
    }

    /// One line on a `hops` run: p50 / p99 until the inbox write for each path.
    private static func summary(_ result: HopsResult) -> String {
        func latency(_ path: PathLatency) -> String {
            "\(path.hubs.count) hop\(path.hubs.count == 1 ? "" : "s") p50 \(Int(path.writeP50Milliseconds.rounded())) ms, "
                + "p99 \(Int(path.writeP99Milliseconds.rounded())) ms"
        }
        return "\(latency(result.oneHop)); \(latency(result.fourHops)) (until the inbox write), \(result.peakRSSKiB) KiB peak RSS"
    }

    private static func progress(_ line: String) {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }
}
