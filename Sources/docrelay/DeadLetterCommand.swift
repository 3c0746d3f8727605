import ArgumentParser
import DocRelay
import DocRelayCore
import Foundation

/// `docrelay dlq`: operators inspect and replay dead letters.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect and replay dead letters: list, show, replay.",
        discussion: """
            Reads the whole dead-letter topic (<prefix>.dlq) and the events topic (<prefix>.events) \
            without joining a consumer group. A dead letter is named by its document id or by its \
            location, <dlq topic>/<partition>/<offset>, as `dlq list` prints it.
            """,
        subcommands: [DeadLetterListCommand.self, DeadLetterShowCommand.self, DeadLetterReplayCommand.self])
}

/// `--agency`, `--class`, `--since`: the filter of `dlq list` and `dlq replay`.
struct DeadLetterFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only dead letters from, to or pending to this agency code.", valueName: "code"))
    var agency: String?

    @Option(name: .customLong("class"), help: ArgumentHelp(
        "Only this dr-error-class: signature, sender, recipient, malformed, oversize, exhausted.", valueName: "class"))
    var errorClass: String?

    @Option(help: ArgumentHelp("Only those dead-lettered since this RFC 3339 UTC time, or this long ago (90s, 30m, 2h, 7d).", valueName: "time"))
    var since: String?

    /// The filter, or a usage error naming the option.
    func filter(now: Date = Date()) throws -> DeadLetterFilter {
        var filter = DeadLetterFilter(agency: agency, errorClass: errorClass)
        if let errorClass, !DeadLetterFilter.knownClasses.contains(where: { $0.rawValue == errorClass }) {
            throw CommandFailure.configuration(
                "option --class \(errorClass): expected one of \(DeadLetterFilter.knownClasses.map(\.rawValue).joined(separator: ", "))")
        }
        if let since {
            guard let date = EventTime.since(since, now: now) else {
                throw CommandFailure.configuration(
                    "option --since \(since): expected an RFC 3339 UTC time (2026-11-29T01:02:03Z) or a duration (90s, 30m, 2h, 7d)")
            }
            filter.since = date
        }
        return filter
    }
}
