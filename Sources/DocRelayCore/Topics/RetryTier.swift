/// One retry tier: how long a record waits in `<prefix>.retry.<name>` before its next attempt.
public struct RetryTier: Sendable, Hashable, CustomStringConvertible {
    /// As written in configuration and topic names: `5s`, `1m`, `10m`, `1h`.
    public let name: String
    public let delay: Duration

    /// The contract's default tiers.
    public static let defaults: [RetryTier] = ["5s", "1m", "10m", "1h"].compactMap { RetryTier(parsing: $0) }

    /// A tier from a duration text (`500ms`, `5s`, `1m`, `10m`, `1h`, `1d`), or nil.
    public init?(parsing text: String) {
        guard let delay = DurationText.parse(text), delay > .zero else { return nil }
        self.name = text
        self.delay = delay
    }

    public var description: String { name }
}

/// Durations as configuration files write them: a whole number and a unit (`ms`, `s`, `m`,
/// `h`, `d`), e.g. `500ms`, `45s`, `10m`, `24h`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits), value <= 1_000_000_000 else { return nil }
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(value)
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        case "d": return .seconds(value * 86_400)
        default: return nil
        }
    }

    /// `seconds` for a reason or a log line, in the largest units that fit, at most two:
    /// `3d 4h`, `13m 5s`, `42s` (sub-second parts dropped; negative as its magnitude).
    public static func format(seconds: Double) -> String {
        var left = Int64(abs(seconds).rounded(.down))
        var parts: [String] = []
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where left >= size || (size == 1 && parts.isEmpty) {
            parts.append("\(left / size)\(unit)")
            left %= size
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }
}
