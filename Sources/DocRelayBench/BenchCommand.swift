import ArgumentParser

/// `docrelay-bench`: pass-through throughput of raw librdkafka beside DocRelay's Kafka layer,
/// on librdkafka's in-process mock cluster, and signature verifications per second
/// (`make bench`).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docrelay-bench",
        abstract: "Benchmarks: Kafka pass-through on the embedded Kafka, and signature verification.",
        subcommands: [PassThroughCommand.self, VerifyCommand.self, RelayCommand.self, HopsCommand.self, BacklogCommand.self, BacklogRelayCommand.self, LargeCommand.self, ScaleCommand.self, AllCommand.self]
    )
}
