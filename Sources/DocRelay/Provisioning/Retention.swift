import DocRelayCore
/// How long Kafka keeps a topic's records: its `retention.ms` topic configuration.
///
/// Written in configuration as a duration (`30d`, `36h`, `90m`: a whole number and `ms`, `s`,
/// `m`, `h` or `d`) or `forever` (`retention.ms=-1`, never deleted). Kafka deletes a log segment
/// once its newest record is older than the retention, so a record lives at least that long
/// (unless `retention.bytes` is set, which `provision` never does).
public enum Retention: Sendable, Hashable, CustomStringConvertible {
    /// Records older than this are deleted. Always positive.
    case duration(Duration)
    /// Records are never deleted for their age.
    case forever

    /// A retention from configuration text (`30d`, `forever`), or nil. A duration must be positive.
    public init?(parsing text: String) {
        if text == "forever" {
            self = .forever
            return
        }
        guard let duration = DurationText.parse(text), duration > .zero else { return nil }
        self = .duration(duration)
    }

    /// A retention from a `retention.ms` value as Kafka reports it: `-1` (or any negative) is
    /// forever; nil for text that is not a whole number, or 0.
    public init?(retentionMilliseconds text: String) {
        guard let value = Int64(text), value != 0 else { return nil }
        self = value < 0 ? .forever : .duration(.milliseconds(value))
    }

    /// `retention.ms` in milliseconds; -1 for forever.
    public var milliseconds: Int64 {
        switch self {
        case .duration(let duration): duration.wholeMilliseconds
        case .forever: -1
        }
    }

    /// The `retention.ms` topic configuration value.
    public var configValue: String { String(milliseconds) }

    /// The duration, or nil for forever.
    public var duration: Duration? {
        if case .duration(let duration) = self { return duration }
        return nil
    }

    /// Whether records kept this long are kept at least as long as `other` keeps them.
    public func isAtLeast(_ other: Retention) -> Bool {
        switch (self, other) {
        case (.forever, _): true
        case (.duration, .forever): false
        case (.duration(let mine), .duration(let theirs)): mine >= theirs
        }
    }

    /// In the largest whole unit: `30d`, `36h`, `90m`, `45s`, `1500ms`, or `forever`.
    public var description: String {
        switch self {
        case .forever: "forever"
        case .duration(let duration): Self.text(duration)
        }
    }

    /// `duration` in its largest whole unit, as configuration writes it.
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where milliseconds % size == 0 && milliseconds != 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
