import ArgumentParser
import DocRelayKafka
import Foundation
import Logging

/// `docrelay-bench passthrough`: one measurement in this process, printed as one JSON line.
///
/// The source is pre-filled first (not timed); the clock starts when the first record is
/// received (after the mock's ~3 s group join) and stops when every record is acknowledged by
/// the broker and the final commit returned. The destination is then checked to hold exactly
/// the records passed through, or the command fails.
struct PassThroughCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passthrough",
        abstract: "Measure one pass-through (consume, produce, commit) and print it as JSON.")

    @Option(help: "The implementation: raw (librdkafka directly) or layer (DocRelayKafka).")
    var impl: Implementation

    @Option(help: "Bytes of each record's value.")
    var size: Int

    @Option(help: "Records to pass through (records × size / 24 must stay under 4 MiB).")
    var records: Int

    @Option(help: ArgumentHelp(
        "Diagnosis only: the layer consumer's maxBufferedRecords instead of its default.",
        visibility: .hidden))
    var maxBufferedRecords: Int?

    /// A run that has not finished by then is stuck: fail rather than hang `make bench`.
    static let watchdog: Duration = .seconds(600)

    var workload: BenchWorkload { BenchWorkload(size: size, records: records) }

    func validate() throws {
        do {
            try workload.validate()
        } catch {
            throw ValidationError(error.message)
        }
        if let maxBufferedRecords, maxBufferedRecords < 1 {
            throw ValidationError("--max-buffered-records must be at least 1")
        }
    }

    func run() async throws {
        Self.armWatchdog(after: Self.watchdog)
        let logger = BenchLogging.makeLogger()
        let elapsed = try await Self.measure(
            impl, workload: workload, maxBufferedRecords: maxBufferedRecords, logger: logger)
        let result = BenchResult(
            impl: impl, workload: workload, elapsed: elapsed, peakRSSKiB: ProcessStats.peakRSSKiB())
        print(result.jsonLine)
    }

    /// Sets up the cluster, runs `impl`, checks the outcome, and tears the clients down
    /// before the cluster.
    static func measure(
        _ impl: Implementation, workload: BenchWorkload, maxBufferedRecords: Int? = nil, logger: Logger
    ) async throws -> Duration {
        let cluster = try BenchCluster(workload: workload, logger: logger)
        try await cluster.prefill()
        let group = "docrelay-bench-\(impl.rawValue)"
        let elapsed: Duration
        switch impl {
        case .raw:
            let passThrough = RawPassThrough(
                bootstrapServers: cluster.bootstrapServers, records: workload.records, group: group)
            elapsed = try await DedicatedThread.run(name: "docrelay-bench-raw") { try passThrough.run() }
        case .layer:
            let passThrough = LayerPassThrough(
                connection: cluster.cluster.settings, records: workload.records, group: group, logger: logger,
                maxBufferedRecords: maxBufferedRecords)
            elapsed = try await passThrough.run()
        }
        try await cluster.verify(group: group)
        withExtendedLifetime(cluster) {}
        return elapsed
    }

    /// Exits the process with status 3 if it is still running after `watchdog`.
    static func armWatchdog(after watchdog: Duration) {
        let seconds = Double(watchdog.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            FileHandle.standardError.write(Data("docrelay-bench: no result after \(Int(seconds)) s, giving up\n".utf8))
            Foundation.exit(3)
        }
    }
}
