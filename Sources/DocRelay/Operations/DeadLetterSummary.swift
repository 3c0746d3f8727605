public import Foundation

/// One line of `docrelay dlq list`: what an operator needs to pick a dead letter, as text or
/// as a JSON object (`--json`, one per line, keys sorted).
public struct DeadLetterSummary: Codable, Sendable, Hashable {
    /// When it was dead-lettered (RFC 3339 UTC), if known.
    public var at: String?
    public var errorClass: String
    public var id: String
    public var kind: String?
    public var from: String?
    public var to: [String]
    public var pendingTo: [String]?
    public var reason: String
    /// `<dlq topic>/<partition>/<offset>`: what `dlq show` and `dlq replay` accept.
    public var location: String
    /// Where the relay first read it: `<topic>/<partition>/<offset>`.
    public var origin: String?
    /// The value was cut at the limit (its real size and digest are kept).
    public var truncated: Bool
    /// Whether `dlq replay` can replay it: not when its value is not the document signed.
    public var replayable: Bool
    /// Why it cannot be replayed (`DeadLetter.replayRefusal`); nil when it can.
    public var replayRefusal: String?
    /// When it was replayed, oldest first (empty: never).
    public var replayed: [String]

    private enum CodingKeys: String, CodingKey {
        case at
        case errorClass = "class"
        case id, kind, from, to
        case pendingTo = "pending-to"
        case reason, location, origin, truncated, replayable
        case replayRefusal = "replay-refusal"
        case replayed
    }

    public init(_ entry: DeadLetterEntry) {
        let letter = entry.letter
        at = entry.time.map { EventTime.text($0) }
        errorClass = letter.errorClass
        id = letter.id
        kind = letter.kind
        from = letter.from
        to = letter.to
        pendingTo = letter.pendingTo
        reason = letter.reason
        location = letter.location
        if let topic = letter.originTopic {
            origin = "\(topic)/\(letter.originPartition.map(String.init) ?? "?")/\(letter.originOffset.map(String.init) ?? "?")"
        }
        truncated = letter.isTruncated
        let refusal = letter.replayRefusal
        replayable = refusal == nil
        replayRefusal = refusal
        replayed = entry.replays.map(\.at)
    }

    /// `time  class  id  from → to  reason  location[  not replayable (truncated)][  replayed <time>]`,
    /// the reason cut to `reasonWidth` characters on one line.
    public func line(reasonWidth: Int = 60) -> String {
        let recipients = (pendingTo ?? to).joined(separator: ",")
        var fields = [
            at ?? "-", errorClass, id, "\(from ?? "?") → \(recipients.isEmpty ? "?" : recipients)",
            Self.shortened(reason, to: reasonWidth), location,
        ]
        if !replayable { fields.append("not replayable (\(truncated ? "truncated" : "altered"))") }
        if let last = replayed.last {
            fields.append(replayed.count == 1 ? "replayed \(last)" : "replayed \(replayed.count)× (last \(last))")
        }
        return fields.joined(separator: "  ")
    }

    /// Compact JSON with sorted keys, on one line.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` on one line, at most `width` characters, an ellipsis where it was cut.
    public static func shortened(_ text: String, to width: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > width, width > 1 else { return flat }
        return String(flat.prefix(width - 1)) + "…"
    }
}
