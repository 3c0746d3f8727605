import ArgumentParser
import Foundation

/// `docrelay-bench scale`: a national hub of 10,000 agencies beside one of 20, each in a child
/// process (`--agencies N` runs one and prints its JSON line): provision time, relay ready
/// time, RSS at rest and under load, one-hop latency at 1,000 documents/s spread over all
/// agencies, SIGTERM to exit (issue 16). Needs the `docrelay` binary beside this one.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "A hub of 10,000 agencies beside one of 20 on the embedded broker, the real relay; print the figures.")

    @Option(help: "Run one hub of this many agencies in this process and print its JSON line.")
    var agencies: Int?

    @Option(help: "Documents of the load phase.")
    var documents: Int = 10_000

    @Option(help: "Documents per second of the load phase.")
    var rate: Double = 1_000

    @Option(help: "With --agencies: the relay's consumer.subscription-shards (default: its automatic count).")
    var subscriptionShards: Int?

    /// The sizes `scale` (and `all`) compares.
    static let sizes = [20, 10_000]

    func validate() throws {
        if let agencies, !(2...10_000).contains(agencies) { throw ValidationError("--agencies \(agencies): expected 2 to 10000") }
        guard documents >= 1, rate > 0 else { throw ValidationError("--documents and --rate must be positive") }
    }

    func run() async throws {
        if let agencies {
            PassThroughCommand.armWatchdog(after: .seconds(1200))
            let result = try await ScaleMeasurement(
                agencies: agencies, documents: documents, rate: rate, subscriptionShards: subscriptionShards,
                logger: BenchLogging.makeLogger()).run()
            print(result.jsonLine)
            return
        }
        let results = try await Self.measureAll(documents: documents, rate: rate)
        print(BenchReport.scaleSection(results))
    }

    /// Each size in a child process, the smaller first.
    static func measureAll(documents: Int = 10_000, rate: Double = 1_000) async throws -> [ScaleResult] {
        var results: [ScaleResult] = []
        for size in sizes {
            let result: ScaleResult = try await ChildRun.run([
                "scale", "--agencies", String(size), "--documents", String(documents), "--rate", String(rate),
            ])
            FileHandle.standardError.write(Data("[scale] \(result.jsonLine)\n".utf8))
            results.append(result)
        }
        return results
    }
}
