import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation

/// `docrelay dlq list`: every dead letter of the hub, filtered, one line each.
struct DeadLetterListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dead letters: time, class, id, from → to, reason, location, whether replayable, replays.",
        discussion: """
            Dead letters are listed by the time they were dead-lettered. --agency matches the \
            sender, any recipient and any pending recipient. Replays are those the events topic \
            records. A dead letter whose value is not the document signed cannot be replayed: \
            `not replayable (truncated)` when its value was cut when it was dead-lettered, \
            `not replayable (altered)` when it does not match dr-sha256. --json prints one JSON \
            object per line (keys: at, class, id, kind, from, to, pending-to, reason, location, \
            origin, truncated, replayable, replay-refusal when not, replayed).
            """)

    @OptionGroup var hub: HubOptions
    @OptionGroup var filterOptions: DeadLetterFilterOptions

    @Flag(help: "One JSON object per dead letter and line.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.dlq")
        let filter = try filterOptions.filter()
        let hub = try hub.resolve()
        let reader = try await OperatorReading.connect(hub, logger: logger)
        let records = try await OperatorReading.deadLetters(hub, with: reader)
        await reader.close()

        let shown = records.deadLetters.filter(filter.matches)
            .sorted {
                ($0.time ?? .distantPast, $0.letter.partition, $0.letter.offset)
                    < ($1.time ?? .distantPast, $1.letter.partition, $1.letter.offset)
            }
        for entry in shown {
            let summary = DeadLetterSummary(entry)
            print(json ? summary.json() : summary.line())
        }
        guard !json else { return }
        let replayed = shown.filter(\.isReplayed).count
        let unreplayable = shown.filter { $0.letter.replayRefusal != nil }.count
        let total = records.deadLetters.count
        let scope = shown.count == total ? "" : " (of \(total))"
        print("\(shown.count) dead letter\(shown.count == 1 ? "" : "s")\(scope) in \(hub.topics.deadLetters); \(replayed) replayed already"
            + (unreplayable == 0 ? "" : "; \(unreplayable) cannot be replayed"))
    }
}
