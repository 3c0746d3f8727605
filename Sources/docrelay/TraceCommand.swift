import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka

/// `docrelay trace`: a document's journey, from the events topic and the dead letters.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "A document's journey: accepted, forwarded, delivered, acked, retried, dead-lettered, replayed.",
        discussion: """
            Reads the whole events topic (<prefix>.events) and dead-letter topic without joining a \
            consumer group, and prints every event of the document and every dead letter of it, in \
            time order: time, hub/instance, event, details (recipient, target, class and reason, \
            attempt, latency). --json prints each event as the relay wrote it, one per line. Exit 1 \
            when nothing is known of the document.
            """)

    @Argument(help: "The document id (dr-id), or an edXML business id (DocumentId): then its updates, replacements and revocation too.")
    var id: String

    @OptionGroup var hub: HubOptions

    @Flag(help: "One JSON object per line: the events as written, dead letters as `dlq list --json` prints them.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.trace")
        var journey = DocumentJourney(id: id)
        var read: [String] = []
        for (index, hub) in try hub.resolveAll().enumerated() {
            let reader: KafkaTopicReader
            do {
                reader = try await OperatorReading.connect(hub, logger: logger)
            } catch where index > 0 {
                // Another hub of the directory: what it knows is missing, what the others know is not.
                printError("docrelay: note: hub \(hub.hubID ?? hub.label) not read: \(error)")
                continue
            }
            let records = try await OperatorReading.records(hub, with: reader)
            await reader.close()
            if !records.hasEventsTopic { printError("docrelay: note: no topic \(hub.topics.events) at \(hub.label)") }
            if !records.hasDeadLetterTopic { printError("docrelay: note: no topic \(hub.topics.deadLetters) at \(hub.label)") }
            journey.add(records, from: hub.hubID ?? hub.topics.prefix)
            read.append("\(hub.topics.events) and \(hub.topics.deadLetters)")
        }
        guard !journey.isEmpty else {
            throw CommandFailure.operation("nothing known of document \(id) in \(read.joined(separator: "; "))")
        }
        for step in journey.steps {
            print(json ? step.json : step.line)
        }
    }
}
