import Synchronization

/// The last lag of each (group, topic), so that topics sharing one series (every agency's `out`
/// topic) report their sum rather than whichever was set last.
final class LagTable: Sendable {
    private struct Key: Hashable {
        var group: String
        var series: String
    }

    private let lags = Mutex<[Key: [String: Int64]]>([:])

    /// Records `lag` for `topic` and returns the sum over the topics of `series`.
    func set(_ lag: Int64, group: String, topic: String, series: String) -> Int64 {
        lags.withLock { lags in
            let key = Key(group: group, series: series)
            lags[key, default: [:]][topic] = lag
            return lags[key, default: [:]].values.reduce(0, +)
        }
    }
}
