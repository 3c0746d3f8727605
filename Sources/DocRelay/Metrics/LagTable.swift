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

    /// Replaces every lag of `group` by `lags` (topic -> lag; a topic absent is gone) and hands
    /// each series' sum to `publish`, once per series: one measurement of 10,000 agencies' `out`
    /// topics publishes one value, not 10,000 partial sums.
    func replace(_ lags: [String: Int64], group: String, series: (String) -> String, publish: (String, Int64) -> Void) {
        var bySeries: [String: [String: Int64]] = [:]
        for (topic, lag) in lags { bySeries[series(topic), default: [:]][topic] = lag }
        self.lags.withLock { table in
            for key in table.keys where key.group == group && bySeries[key.series] == nil {
                table[key] = [:]
                publish(key.series, 0)
            }
            for (name, topics) in bySeries {
                table[Key(group: group, series: name)] = topics
                publish(name, topics.values.reduce(0, +))
            }
        }
    }
}
