import ArgumentParser
import Foundation

/// `docrelay-bench backlog`: the relay's peak RSS under a backlog of the largest documents
/// (`BacklogMeasurement`), printed as one JSON line; with `--output`, also the report's
/// section on it, as `all` writes it into BENCHMARKS.md.
struct BacklogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backlog",
        abstract: "Measure the relay's peak RSS under a backlog of maximum-size documents; print JSON.")

    @Option(help: "Documents of the backlog (each of the relay's max-value-bytes, 1 MiB).")
    var documents: Int = BacklogWorkload.standard.documents

    @Option(help: "Partitions of each agency's out and in topic (the mock keeps 4 documents of 1 MiB in one).")
    var partitions: Int = BacklogWorkload.standard.partitions

    @Option(help: "Write the report's section on this run (markdown) to this file.")
    var output: String?

    static let watchdog: Duration = .seconds(900)

    var workload: BacklogWorkload {
        var workload = BacklogWorkload.standard
        workload.documents = documents
        workload.partitions = partitions
        return workload
    }

    func validate() throws {
        do {
            try workload.validate()
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        PassThroughCommand.armWatchdog(after: Self.watchdog)
        let loadAtStart = ProcessStats.loadAverage()
        let result = try await BacklogMeasurement(workload: workload, logger: BenchLogging.makeLogger()).run()
        print(result.jsonLine)
        if let output {
            var report = BenchReport(results: [], verifications: [], repetitions: 1, date: Date())
            report.backlogs = [result]
            report.loadAverages = (loadAtStart, ProcessStats.loadAverage())
            do {
                try Data(report.backlogSection(standalone: true).utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw BenchFailure("cannot write \(output): \(error)")
            }
        }
    }
}
