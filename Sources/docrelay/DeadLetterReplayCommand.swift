import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation

/// `docrelay dlq replay`: re-injects dead letters into the first retry tier, once each.
struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay dead letters through the relay's first retry tier, once each.",
        discussion: """
            Each selected dead letter not replayed yet is written to <prefix>.retry.<first tier> \
            (the configuration's, else 5s), due now and marked dr-replayed, with its pending \
            recipients; then a `replayed` event naming its location is written to <prefix>.events. \
            Both wait for the broker's acknowledgement. A dead letter with a replay event is not \
            replayed again (it says when it was) unless --force. A dead letter whose value is not \
            the document signed (cut when it was dead-lettered: oversize; or not matching \
            dr-sha256) cannot be replayed, --force or not: each is named with why. Exit 0 when \
            every selected dead letter is replayed, was already, or some are and the others \
            cannot be; 1 when a write failed, or when not one selected dead letter can be replayed. \
            --all asks for confirmation on a terminal, naming how many it would replay; without \
            a terminal it needs --yes. --limit N replays at most N: the oldest N of those that \
            would be replayed.
            """)

    @Argument(help: ArgumentHelp("One document id, or a location <dlq topic>/<partition>/<offset>.", valueName: "id|location"))
    var selector: String?

    @Flag(help: "Every dead letter (with --agency, --class, --since: every one that matches).")
    var all = false

    @OptionGroup var filterOptions: DeadLetterFilterOptions

    @Flag(help: "List what would be replayed; write nothing.")
    var dryRun = false

    @Flag(help: "Replay even dead letters replayed before (not those that cannot be replayed).")
    var force = false

    @Option(help: ArgumentHelp("Replay at most this many (the oldest of those that would be replayed).", valueName: "n"))
    var limit: Int?

    @Flag(help: "One JSON object per dead letter and line (outcome, location, id, class, ...), then one with the counts.")
    var json = false

    @Flag(help: "Do not ask for confirmation (--all asks on a terminal, and needs --yes without one).")
    var yes = false

    @OptionGroup var hub: HubOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        let ways = [selector != nil, all, filterOptions.errorClass != nil].filter { $0 }.count
        guard ways >= 1 else {
            throw ValidationError("say which dead letters: an id or location, --class C, or --all")
        }
        guard !(selector != nil && all) else {
            throw ValidationError("give an id or location, or --all, not both")
        }
        if let limit, !(1...1_000_000).contains(limit) {
            throw ValidationError("option --limit \(limit): expected 1 to 1000000")
        }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.dlq")
        let filter = try filterOptions.filter()
        let hub = try hub.resolve()
        let replay = DeadLetterReplay(hub: hub, force: force)
        let reader = try await OperatorReading.connect(hub, logger: logger)
        let records = try await OperatorReading.deadLetters(hub, with: reader)
        if !dryRun {
            guard records.hasEventsTopic else {
                await reader.close()
                throw CommandFailure.operation(
                    "no topic \(hub.topics.events): a replay could not be recorded, so none is done")
            }
            try await Self.requireTopic(replay.target, reader: reader)
        }
        await reader.close()

        var selected = records.deadLetters.filter(filter.matches)
        if let selector {
            selected = selected.filter { $0.isNamed(by: selector) }
            guard !selected.isEmpty else {
                throw CommandFailure.operation(
                    "no dead letter named \(selector) in \(hub.topics.deadLetters)\(filter == DeadLetterFilter() ? "" : " that matches the filter")")
            }
        }
        guard !selected.isEmpty else {
            print(json ? Self.jsonLine(["dry-run": dryRun, "counts": [String: Int]()]) : "no dead letter matches; nothing to replay")
            return
        }

        var leftByLimit = 0
        if let limit {
            // The oldest `limit` of those that would be written; the rest stay for a later run.
            let writable = replay.dryRun(selected).compactMap { outcome -> DeadLetterEntry? in
                if case .wouldReplay(let entry, _) = outcome { return entry }
                return nil
            }
            leftByLimit = max(0, writable.count - limit)
            selected = Array(writable.prefix(limit))
            guard !selected.isEmpty else {
                print(json ? Self.jsonLine(["dry-run": dryRun, "counts": [String: Int]()]) : "no dead letter selected can be replayed; nothing to replay")
                return
            }
        }
        if all && !dryRun && !yes {
            let count = replay.dryRun(selected).filter { if case .wouldReplay = $0 { return true } else { return false } }.count
            let question = "replay \(count) dead letter\(count == 1 ? "" : "s") of \(hub.topics.deadLetters) into \(replay.target)?"
            switch TerminalConfirmation.ask(question) {
            case .none:
                throw CommandFailure.configuration(
                    "option --all: replays \(count) dead letters; confirm on a terminal, or give --yes (--dry-run lists them)")
            case .some(false):
                throw CommandFailure.operation("not confirmed: nothing replayed")
            case .some(true):
                break
            }
        }

        let outcomes: [DeadLetterReplay.Outcome]
        if dryRun {
            outcomes = replay.dryRun(selected)
        } else {
            var settings = KafkaProducerSettings(connection: hub.kafka)
            settings.deliveryTimeout = .seconds(30)
            let producer: KafkaProducer
            do {
                producer = try await KafkaProducer.connect(settings: settings, logger: logger)
            } catch let error as KafkaError {
                throw error.startupFailure
            }
            outcomes = await replay.run(selected, producer: producer)
            await producer.close()
        }
        var counts = (replayed: 0, already: 0, refused: 0, failed: 0, would: 0)
        for outcome in outcomes {
            if json { print(outcome.json()) }
            switch outcome {
            case .replayed(let entry, let record, let event):
                counts.replayed += 1
                if !json { print("replayed \(entry.letter.location) (\(entry.letter.id)) → \(record.topic)[\(record.partition)]@\(record.offset); event \(event.topic)[\(event.partition)]@\(event.offset)") }
            case .alreadyReplayed(let entry, let at):
                counts.already += 1
                if !json { print("already replayed at \(at): \(entry.letter.location) (\(entry.letter.id)); --force replays it again") }
            case .refused(let entry, let reason):
                counts.refused += 1
                if !json { printError("docrelay: \(entry.letter.location) (\(entry.letter.id)) cannot be replayed: \(reason)") }
            case .wouldReplay(let entry, let target):
                counts.would += 1
                if !json { print("would replay \(entry.letter.location) (\(entry.letter.id), \(entry.letter.errorClass)) → \(target)") }
            case .failed(let entry, let reason, let recordWritten):
                counts.failed += 1
                let state = recordWritten ? "written to the retry tier but its event failed (a new replay would repeat it)" : "not replayed"
                if !json { printError("docrelay: \(entry.letter.location) (\(entry.letter.id)): \(state): \(reason)") }
            }
        }
        let refused = counts.refused == 0 ? "" : "; \(counts.refused) cannot be replayed"
        if json {
            let totals: [String: Int] = [
                "replayed": counts.replayed, "already-replayed": counts.already, "refused": counts.refused,
                "failed": counts.failed, "would-replay": counts.would, "left-by-limit": leftByLimit,
            ]
            print(Self.jsonLine(["dry-run": dryRun, "counts": totals]))
        } else if dryRun {
            print("dry run: \(counts.would) would be replayed, \(counts.already) already replayed\(refused); nothing written")
        } else {
            print("\(counts.replayed) replayed, \(counts.already) already replayed, \(counts.failed) failed\(refused)")
        }
        if leftByLimit > 0 && !json {
            print("--limit \(limit ?? 0): \(leftByLimit) more left to replay")
        }
        if counts.failed > 0 {
            throw CommandFailure.operation("\(counts.failed) of \(outcomes.count) replays failed")
        }
        if counts.refused == outcomes.count {
            throw CommandFailure.operation(
                outcomes.count == 1 ? "the dead letter selected cannot be replayed"
                    : "none of the \(outcomes.count) dead letters selected can be replayed")
        }
    }

    /// `object` as one line of JSON, keys sorted.
    static func jsonLine(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Fails (exit 1) when `topic` does not exist: a send to it would wait for its delivery timeout.
    static func requireTopic(_ topic: String, reader: KafkaTopicReader) async throws {
        do {
            _ = try await reader.watermarks(of: topic)
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            await reader.close()
            throw CommandFailure.operation("no topic \(topic) to replay into: create the hub's topics with `docrelay provision`")
        } catch let error as KafkaError {
            await reader.close()
            throw CommandFailure.operation("\(topic): \(error)")
        }
    }
}
