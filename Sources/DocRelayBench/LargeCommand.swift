import ArgumentParser
import Foundation

/// `docrelay-bench large`: large documents through the relay as segments (issue 13), against
/// the raw pass-through of the same bytes, printed as one JSON line (`LargeMeasurement`).
struct LargeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "large",
        abstract: "Measure large documents (segments) through the relay against the raw pass-through of the same bytes; print JSON.")

    @Option(help: "Bytes of each document.")
    var size: Int = 16 * 1_048_576

    @Option(help: "Documents, each from its own sender to its own recipient, passing at once (1 to 10).")
    var documents: Int = 4

    func validate() throws {
        guard (2 * 1_048_576...64 * 1_048_576).contains(size) else { throw ValidationError("--size: 2 MiB to 64 MiB") }
        guard (1...10).contains(documents) else { throw ValidationError("--documents: 1 to 10") }
    }

    func run() async throws {
        PassThroughCommand.armWatchdog(after: .seconds(600))
        let result = try await LargeMeasurement(size: size, documents: documents, logger: BenchLogging.makeLogger()).run()
        print(result.jsonLine)
    }
}
