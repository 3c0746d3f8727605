public import DocRelayKafka
import Foundation

extension DeadLetterReplay.Outcome {
    /// One outcome as `dlq replay --json` prints it, a JSON object on one line:
    /// `{"outcome": "replayed" | "already-replayed" | "refused" | "would-replay" | "failed", "location",
    /// "id", "class", ...}` with, by outcome, `record` and `event` (`topic`/`partition`/`offset`),
    /// `at`, `reason`, `target`, `record-written`.
    public func json() -> String {
        var object: [String: Any]
        switch self {
        case .replayed(let entry, let record, let event):
            object = Self.base("replayed", entry)
            object["record"] = Self.position(record)
            object["event"] = Self.position(event)
        case .alreadyReplayed(let entry, let at):
            object = Self.base("already-replayed", entry)
            object["at"] = at
        case .refused(let entry, let reason):
            object = Self.base("refused", entry)
            object["reason"] = reason
        case .wouldReplay(let entry, let target):
            object = Self.base("would-replay", entry)
            object["target"] = target
        case .failed(let entry, let reason, let recordWritten):
            object = Self.base("failed", entry)
            object["reason"] = reason
            object["record-written"] = recordWritten
        }
        return Self.line(object)
    }

    static func base(_ outcome: String, _ entry: DeadLetterEntry) -> [String: Any] {
        ["outcome": outcome, "location": entry.letter.location, "id": entry.letter.id, "class": entry.letter.errorClass]
    }

    static func position(_ report: KafkaDeliveryReport) -> [String: Any] {
        ["topic": report.topic, "partition": Int(report.partition), "offset": Int(report.offset)]
    }

    /// `object` as compact JSON with sorted keys.
    static func line(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
