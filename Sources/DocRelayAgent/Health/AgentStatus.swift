import DocRelayCore
import Synchronization

/// What the agent can say of its liveness at any moment, without I/O: for `/healthz`. The
/// receiver and the spool sender say when a record is taken and when it reached its outcome,
/// the health watch what the broker probe, the lag and the producer said.
final class AgentStatus: Sendable {
    private struct State {
        var liveness = Liveness(lastProgress: .now)
        var failure: String?
        var outcomes = 0
    }

    private let state = Mutex(State())

    /// Why the agent stops itself (a fatal producer error), if it does.
    var failure: String? { state.withLock { $0.failure } }

    /// The agent stops itself for `reason`. Returns whether this is the first such reason.
    @discardableResult
    func fail(_ reason: String) -> Bool {
        state.withLock {
            guard $0.failure == nil else { return false }
            $0.failure = reason
            return true
        }
    }

    /// A record (received, or a spool file) is taken in hand.
    func began() {
        state.withLock {
            $0.liveness.workArrives(at: .now)
            $0.liveness.inProcessing += 1
        }
    }

    /// A record taken in hand is done: `progressed` when it reached its outcome (delivered,
    /// refused, sent, rejected), else it waits again (a spool file not sent yet).
    func ended(progressed: Bool, at now: ContinuousClock.Instant = .now) {
        state.withLock {
            $0.liveness.inProcessing = max(0, $0.liveness.inProcessing - 1)
            if progressed {
                $0.outcomes += 1
                $0.liveness.lastProgress = now
            } else {
                $0.liveness.waiting += 1
            }
        }
    }

    /// A spool scan found `count` files in `outbox/` not in hand; each is taken with `taken()`.
    func spoolWaiting(_ count: Int) {
        state.withLock {
            if count > 0 { $0.liveness.workArrives(at: .now) }
            $0.liveness.waiting = count
        }
    }

    /// A waiting spool file is taken in hand.
    func taken() {
        state.withLock {
            $0.liveness.waiting = max(0, $0.liveness.waiting - 1)
            $0.liveness.inProcessing += 1
        }
    }

    /// The probe reached a broker (`error` nil) or not.
    func probed(error: String?, at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.liveness.probed(error: error, at: now) }
    }

    /// A lag measurement of the agent's group on its `in` topic (records).
    func measuredLag(_ lag: Int64, keep: Duration, at now: ContinuousClock.Instant = .now) {
        state.withLock { $0.liveness.measuredLag(lag, keep: keep, at: now) }
    }

    /// What `/metrics` shows: the liveness state and how many records reached their outcome.
    func snapshot() -> (liveness: Liveness, outcomes: Int, failing: Bool) {
        state.withLock { ($0.liveness, $0.outcomes, $0.failure != nil) }
    }

    /// The reasons to answer 503 at `now`: the failure first, then the liveness rules.
    func reasons(at now: ContinuousClock.Instant = .now, _ thresholds: Liveness.Thresholds) -> [String] {
        let (liveness, failure) = state.withLock { ($0.liveness, $0.failure) }
        return (failure.map { [$0] } ?? []) + liveness.reasons(at: now, thresholds)
    }
}
