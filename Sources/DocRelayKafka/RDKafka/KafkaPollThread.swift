import Foundation
import Synchronization

/// A thread of its own that serves one librdkafka client's queue until stopped, so that
/// blocking polls never occupy the cooperative pool.
final class KafkaPollThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    private let name: String

    init(name: String) {
        self.name = name
    }

    /// Starts `iteration`, called repeatedly until `stop()`; each call may block briefly
    /// (a poll with a timeout of tens of milliseconds).
    func start(_ iteration: @escaping @Sendable () -> Void) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                iteration()
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    /// Asks the loop to end and waits until it has. Blocking (at most one iteration).
    func stop() {
        let wasStopping = stopRequested.exchange(true, ordering: .acquiringAndReleasing)
        guard started.load(ordering: .acquiring), !wasStopping else { return }
        finished.wait()
    }
}
