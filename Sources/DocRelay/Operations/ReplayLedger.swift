/// The replays already done, as the events topic records them: a `replayed` event names the
/// dead letter it re-injected (`dead-letter: <dlq topic>/<partition>/<offset>`). This is what
/// makes a replay happen once: a dead letter with a replay here is not replayed again unless
/// the operator insists.
public struct ReplayLedger: Sendable {
    private let byLocation: [String: [RelayEvent]]

    /// The ledger of `events` (any kinds; only `replayed` events with a location count).
    public init(events: some Sequence<RelayEvent>) {
        var byLocation: [String: [RelayEvent]] = [:]
        for event in events where event.event == .replayed {
            guard let location = event.deadLetter, !location.isEmpty else { continue }
            byLocation[location, default: []].append(event)
        }
        self.byLocation = byLocation.mapValues { events in
            events.sorted { EventTime.sortKey($0.at) < EventTime.sortKey($1.at) }
        }
    }

    /// The replays of the dead letter at `location` (`<topic>/<partition>/<offset>`), oldest first.
    public func replays(of location: String) -> [RelayEvent] {
        byLocation[location] ?? []
    }

    /// How many dead letters were replayed at least once.
    public var replayedCount: Int { byLocation.count }
}
