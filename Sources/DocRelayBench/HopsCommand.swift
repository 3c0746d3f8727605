import ArgumentParser
import Foundation

/// `docrelay-bench hops`: one measurement of the latency across one hub and across four
/// (`HopsMeasurement`) in this process, printed as one JSON line.
struct HopsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hops",
        abstract: "Measure the latency of a document through 1 relay and through 4 (d12 → h58 → national → h53); print JSON.")

    @Option(help: "Bytes of each document.")
    var size: Int = HopsWorkload.standard.size

    @Option(help: "Timed documents per path.")
    var documents: Int = HopsWorkload.standard.documents

    @Option(help: "Documents per second, sent one by one.")
    var rate: Double = HopsWorkload.standard.rate

    @Option(help: ArgumentHelp(
        "Diagnosis only: a librdkafka property of every hub's connection, name=value (repeatable); "
            + "fetch.wait.max.ms=500 restores the default this benchmark lowers to 10 for the mock cluster.",
        visibility: .hidden))
    var kafkaProperty: [String] = []

    @Option(help: ArgumentHelp("Diagnosis only: fetch.wait.max.ms of the inbox reader.", visibility: .hidden))
    var readerFetchWait: Int = 10

    var workload: HopsWorkload {
        var workload = HopsWorkload.standard
        workload.size = size
        workload.documents = documents
        workload.rate = rate
        return workload
    }

    func validate() throws {
        do {
            try workload.validate()
        } catch {
            throw ValidationError(error.message)
        }
        for property in kafkaProperty where !property.contains("=") {
            throw ValidationError("--kafka-property \(property): expected name=value")
        }
        guard readerFetchWait >= 0 else { throw ValidationError("--reader-fetch-wait must not be negative") }
    }

    func run() async throws {
        PassThroughCommand.armWatchdog(after: RelayCommand.watchdog)
        var measurement = HopsMeasurement(workload: workload, logger: BenchLogging.makeLogger())
        measurement.readerFetchWaitMilliseconds = readerFetchWait
        for property in kafkaProperty {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            measurement.kafkaProperties[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let result = try await measurement.run()
        print(result.jsonLine)
    }
}
