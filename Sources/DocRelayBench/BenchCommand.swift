import ArgumentParser

/// `docrelay-bench`: pass-through throughput of raw librdkafka beside DocRelay's Kafka layer,
/// on librdkafka's in-process mock cluster (`make bench`).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docrelay-bench",
        abstract: "Pass-through benchmarks: consume, produce, commit on the embedded Kafka.",
        subcommands: [PassThroughCommand.self, AllCommand.self]
    )
}
