import DocRelayCore
import Foundation

/// A document's journey for `docrelay trace`: every event whose `id` is the document's, and
/// every dead letter of it, from one or several hubs' topics, in time order. Given an edXML
/// business id (a `MessageHeader/DocumentId`), the journey also holds its later updates,
/// replacements and revocations, whose `dr-id` is `<DocumentId>#<type>-<16 hex>` (contract,
/// "A record"); their lines name the message (`revocation 45/QĐ#revocation-…`).
///
/// Hubs are added one by one (`add(_:from:)`), so the journeys read from several clusters
/// merge into one; within a hub, events of one document share a partition (they are keyed by
/// its id), so equal times keep the order the relay wrote them in.
public struct DocumentJourney: Sendable {
    /// One step: an event, or a record found in a dead-letter topic.
    public struct Step: Sendable {
        public enum Content: Sendable {
            case event(RelayEvent)
            case deadLetter(DeadLetterEntry)
        }

        public let content: Content
        /// The hub (or cluster) it was read from.
        public let source: String
        /// RFC 3339 UTC, as written (`-` when unknown).
        public let time: String
        let sequence: Int

        /// `time  hub/instance  event  details`.
        public var line: String {
            switch content {
            case .event(let event):
                return [time, "\(event.hub)/\(event.instance)", event.event.rawValue, Self.message(event.id), Self.details(of: event)]
                    .filter { !$0.isEmpty }.joined(separator: "  ")
            case .deadLetter(let entry):
                return [time, "\(source)/dlq", "in-dlq", Self.message(entry.letter.id), Self.details(of: entry)]
                    .filter { !$0.isEmpty }.joined(separator: "  ")
            }
        }

        /// The event's JSON as the relay wrote it; a dead letter as `dlq list --json` writes
        /// it, with `"event":"in-dlq"`.
        public var json: String {
            switch content {
            case .event(let event):
                return String(decoding: event.encoded(), as: UTF8.self)
            case .deadLetter(let entry):
                let summary = DeadLetterSummary(entry).json()
                guard summary.hasPrefix("{"), summary.count > 2 else { return #"{"event":"in-dlq"}"# }
                return #"{"event":"in-dlq","# + summary.dropFirst()
            }
        }

        /// `<type> <dr-id>` for an update, replacement or revocation; empty for a new document.
        static func message(_ id: String) -> String {
            let (_, type) = EdXMLMessageType.reading(transportID: id)
            return type == .new ? "" : "\(type.rawValue) \(id)"
        }

        static func details(of event: RelayEvent) -> String {
            var parts: [String] = []
            if event.event == .accepted, let from = event.from {
                parts.append("from \(from)" + (event.to.map { " to \($0.joined(separator: ","))" } ?? ""))
            }
            if let recipient = event.recipient { parts.append("recipient \(recipient)") }
            if let target = event.target { parts.append("→ \(target)") }
            if let errorClass = event.errorClass {
                parts.append(errorClass + (event.reason.map { ": " + DeadLetterSummary.shortened($0, to: 80) } ?? ""))
            } else if let reason = event.reason {
                parts.append(DeadLetterSummary.shortened(reason, to: 80))
            }
            if let attempt = event.attempt { parts.append("attempt \(attempt)") }
            if let notBefore = event.notBefore, event.event == .retried { parts.append("not before \(notBefore)") }
            if let latency = event.latencyMilliseconds { parts.append("latency \(latency) ms") }
            if let deadLetter = event.deadLetter { parts.append("dead letter \(deadLetter)") }
            return parts.joined(separator: ", ")
        }

        static func details(of entry: DeadLetterEntry) -> String {
            let letter = entry.letter
            var parts = [letter.location, "\(letter.errorClass): \(DeadLetterSummary.shortened(letter.reason, to: 80))"]
            if let pending = letter.pendingTo { parts.append("pending to \(pending.joined(separator: ","))") }
            parts.append(entry.replays.last.map { "replayed \($0.at)" } ?? "not replayed")
            return parts.joined(separator: ", ")
        }
    }

    /// The document's id: a `dr-id`, or an edXML business id.
    public let id: String
    private var collected: [Step] = []

    public init(id: String) {
        self.id = id
    }

    /// Adds what `records` (read from `source`) hold of the document.
    public mutating func add(_ records: HubRecords, from source: String) {
        for event in records.events where concerns(event.id) {
            collected.append(Step(content: .event(event), source: source, time: event.at, sequence: collected.count))
        }
        for entry in records.deadLetters where concerns(entry.letter.id) {
            collected.append(Step(
                content: .deadLetter(entry), source: source, time: EventTime.text(entry.time), sequence: collected.count))
        }
    }

    /// Whether a record with `dr-id` `recordID` belongs to the journey: the id itself, or a
    /// later message about the business id.
    func concerns(_ recordID: String) -> Bool {
        recordID == id || EdXMLMessageType.reading(transportID: recordID).businessId == id
    }

    /// The steps in time order (unknown times first; equal times in the order read).
    public var steps: [Step] {
        collected.sorted {
            (EventTime.sortKey($0.time), $0.sequence) < (EventTime.sortKey($1.time), $1.sequence)
        }
    }

    public var isEmpty: Bool { collected.isEmpty }
}
