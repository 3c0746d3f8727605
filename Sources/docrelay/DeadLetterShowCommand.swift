import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka

/// `docrelay dlq show`: one dead letter in full.
struct DeadLetterShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dead letter: headers, reason, the sender verified again, the value and a preview.",
        discussion: """
            With --config the relay's checks run again with the hub's directory and trust anchors, \
            and say whether the sender is authentic, or why not (of a value cut when it was \
            dead-lettered, the signed headers alone). A dead letter whose value is not the \
            document signed says it cannot be replayed, and why. A document id with several dead \
            letters shows each.
            """)

    @Argument(help: ArgumentHelp("The document id, or the location <dlq topic>/<partition>/<offset>.", valueName: "id|location"))
    var selector: String

    @Flag(help: "One JSON object per dead letter and line: dlq list --json's fields, every header, the sender check, the value's size and digest.")
    var json = false

    @OptionGroup var hub: HubOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.dlq")
        let hub = try hub.resolve()
        let reader = try await OperatorReading.connect(hub, logger: logger)
        let records = try await OperatorReading.deadLetters(hub, with: reader)
        await reader.close()

        let matches = records.deadLetters.filter { $0.isNamed(by: selector) }
        guard !matches.isEmpty else {
            throw CommandFailure.operation(
                "no dead letter named \(selector) in \(hub.topics.deadLetters) (\(records.deadLetters.count) there; `docrelay dlq list` shows them)")
        }
        let verifier = hub.verifier
        for (index, entry) in matches.enumerated() {
            if index > 0 && !json { print("") }
            let inspection = DeadLetterInspection(
                entry, verifier: verifier,
                withoutVerifier: "verification needs --config (the hub's directory and trust anchors)")
            print(json ? inspection.json() : inspection.lines.joined(separator: "\n"))
        }
    }
}
