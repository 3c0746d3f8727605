public import DocRelayCore
import DocRelayKafka
import Synchronization

/// What the relay can say of itself at any moment, without I/O: for `/healthz`.
public final class RelayStatus: Sendable {
    /// One look at the relay.
    public struct Snapshot: Sendable, Hashable {
        public var phase: Phase
        public var assignedPartitions: Int
        public var assignedRetryPartitions: Int
        public var recordsInProcessing: Int
        public var producerQueue: Int
        /// The last check of the inboxes against their retention; nil before the first.
        public var retention: RetentionSummary?
        /// Why the relay stops itself (`RelayHalt`), if it does.
        public var failure: String?
        /// While starting: what it waits for (the acceptance ledger, Kafka).
        public var starting: String = "the relay is connecting to Kafka"
        /// What the liveness rules look at (`Liveness`).
        public var liveness: Liveness
    }

    public enum Phase: String, Sendable, Hashable {
        case starting, running, stopping, stopped
    }

    private struct State {
        var phase = Phase.starting
        var clients: RelayClients?
        var retention: RetentionSummary?
        var failure: String?
        var starting = "the relay is connecting to Kafka"
        var liveness = Liveness(lastProgress: .now)
        /// Records taken by workers and not yet processed.
        var busy = 0
    }

    private let state = Mutex(State())

    public init() {}

    func running(with clients: RelayClients) {
        state.withLock {
            $0.phase = .running
            $0.clients = clients
        }
    }

    /// Still starting: what it waits for.
    func starting(_ what: String) {
        state.withLock { $0.starting = what }
    }

    func set(_ phase: Phase) {
        state.withLock { $0.phase = phase }
    }

    /// The relay stops itself for `reason`. Returns whether this is the first such reason.
    @discardableResult
    func fail(_ reason: String) -> Bool {
        state.withLock {
            $0.phase = .stopping
            guard $0.failure == nil else { return false }
            $0.failure = reason
            return true
        }
    }

    /// A record was processed.
    func progressed(at now: ContinuousClock.Instant = .now) {
        state.withLock {
            $0.liveness.lastProgress = now
            $0.busy = max($0.busy - 1, 0)
        }
    }

    /// A worker took a record. After an idle spell (nothing in processing, no lag measured) the
    /// no-progress clock starts now, so a relay idle for an hour is not called stuck the moment
    /// a record arrives.
    func took(at now: ContinuousClock.Instant = .now) {
        state.withLock {
            if $0.busy == 0, ($0.liveness.lagSamples.last?.lag ?? 0) == 0 { $0.liveness.lastProgress = now }
            $0.busy += 1
        }
    }

    /// The probe reached a broker (`error` nil) or not.
    func probed(error: String?, at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.liveness.probed(error: error, at: now) }
    }

    /// A lag measurement; samples older than `keep` before it are dropped (one older is kept).
    func measuredLag(_ lag: Int64, keep: Duration, at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.liveness.measuredLag(lag, keep: keep, at: now) }
    }

    func set(_ retention: RetentionSummary) {
        state.withLock { $0.retention = retention }
    }

    public var snapshot: Snapshot {
        let (phase, clients, retention, failure, liveness, starting) = state.withLock {
            ($0.phase, $0.clients, $0.retention, $0.failure, $0.liveness, $0.starting)
        }
        let inProcessing = (clients?.main.inFlightCount ?? 0) + (clients?.retry.inFlightCount ?? 0)
        var observed = liveness
        observed.inProcessing = inProcessing
        return Snapshot(
            phase: phase,
            assignedPartitions: clients?.main.assignedCount ?? 0,
            assignedRetryPartitions: clients?.retry.assignment.count ?? 0,
            recordsInProcessing: inProcessing,
            producerQueue: clients?.producer.queuedRecordCount ?? 0,
            retention: retention,
            failure: failure,
            starting: starting,
            liveness: observed)
    }
}
