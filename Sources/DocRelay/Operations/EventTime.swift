import DocRelayCore
public import Foundation

/// Times as events and dead letters write them (RFC 3339 UTC), for sorting and display.
public enum EventTime {
    /// A sortable key: the time in seconds, or `-infinity` for a missing or unreadable time
    /// (listed first, so nothing disappears from a journey).
    public static func sortKey(_ text: String?) -> Double {
        text.flatMap(RFC3339.parse)?.timeIntervalSince1970 ?? -Double.infinity
    }

    /// `2026-11-29T01:02:03.250Z`, or `-` for none.
    public static func text(_ date: Date?) -> String {
        date.map { RFC3339.format($0, fractionalDigits: 3) } ?? "-"
    }

    /// The time `--since` names: an RFC 3339 UTC time, or a duration back from `now` (`90s`,
    /// `30m`, `2h`, `7d`); nil for anything else.
    public static func since(_ text: String, now: Date) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        guard let duration = DurationText.parse(text) else { return nil }
        let (seconds, attoseconds) = duration.components
        return now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
    }
}
