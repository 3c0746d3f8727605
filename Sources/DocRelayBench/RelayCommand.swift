import ArgumentParser
import Foundation

/// `docrelay-bench relay`: one relay measurement in this process (`RelayMeasurement`),
/// printed as one JSON line.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Measure the relay (verify, deliver, ack, events, commit): throughput, then latency; print JSON.")

    @Option(help: "Bytes of each document.")
    var size: Int

    @Option(help: "Documents of the throughput phase (the fullest partition must stay under 4 MiB).")
    var records: Int

    @Option(help: "Documents of the latency phase, sent at a fixed rate after the throughput phase.")
    var latencyDocuments: Int = 1_000

    @Option(help: "The latency phase's rate, as a fraction of the throughput measured.")
    var latencyLoad: Double = 0.4

    @Option(help: ArgumentHelp("Diagnosis only: the relay's consumer.workers instead of its default.", visibility: .hidden))
    var workers: Int?

    @Option(help: ArgumentHelp(
        "Diagnosis only: a librdkafka property for the relay's clients, name=value (repeatable); "
            + "fetch.wait.max.ms=500 restores the default this benchmark lowers to 10 for the mock cluster.",
        visibility: .hidden))
    var kafkaProperty: [String] = []

    @Option(help: ArgumentHelp("Diagnosis only: fetch.wait.max.ms of the latency phase's inbox reader.", visibility: .hidden))
    var readerFetchWait: Int = 10

    @Flag(help: ArgumentHelp("Print each phase with its CLOCK_MONOTONIC time to standard error (for perf).", visibility: .hidden))
    var progress = false

    /// A run that has not finished by then is stuck: fail rather than hang `make bench`.
    static let watchdog: Duration = .seconds(600)

    var workload: RelayWorkload {
        RelayWorkload(size: size, records: records, latencyDocuments: latencyDocuments, latencyLoad: latencyLoad)
    }

    func validate() throws {
        do {
            try workload.validate()
        } catch {
            throw ValidationError(error.message)
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        for property in kafkaProperty where !property.contains("=") {
            throw ValidationError("--kafka-property \(property): expected name=value")
        }
        guard readerFetchWait >= 0 else { throw ValidationError("--reader-fetch-wait must not be negative") }
    }

    func run() async throws {
        PassThroughCommand.armWatchdog(after: Self.watchdog)
        var measurement = RelayMeasurement(workload: workload, workers: workers, logger: BenchLogging.makeLogger())
        measurement.readerFetchWaitMilliseconds = readerFetchWait
        measurement.progress = progress
        for property in kafkaProperty {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            measurement.kafkaProperties[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let result = try await measurement.run()
        print(result.jsonLine)
    }
}
