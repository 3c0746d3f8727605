import Synchronization

/// The last lag of each (group, topic), so that topics sharing one series (every agency's `out`
/// topic) report their sum rather than whichever was set last.
final class LagTable: Sendable {
    private struct Key: Hashable {
        var group: String
        var series: String
    }

    private let lags = Mutex<[Key: [String: Int64]]>([:])

    /// Records `lag` for `topic` and hands the sum over the topics of `series` to `publish`, under
    /// the lock, so that concurrent updates publish in the order they summed.
    func set(_ lag: Int64, group: String, topic: String, series: String, publish: (Int64) -> Void) {
        lags.withLock { lags in
            let key = Key(group: group, series: series)
            lags[key, default: [:]][topic] = lag
            publish(lags[key, default: [:]].values.reduce(0, +))
        }
    }
}
