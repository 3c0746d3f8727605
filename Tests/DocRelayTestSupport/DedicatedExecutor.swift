import Foundation

/// A task executor on a serial dispatch queue of its own, whose thread is not one of the
/// cooperative pool's. The pool is as wide as the cores: two tests computing on it for seconds
/// (signature corpora, fuzzing) hold it all, and every other test's tasks wait, a server in the
/// test process answering late and a start or an exit a test times seen late. What a test
/// times or serves runs here (`Task(executorPreference:)`; child tasks inherit it).
public final class DedicatedExecutor: TaskExecutor, Sendable {
    /// Spawns and reaps child processes (`ChildProcess`).
    public static let childProcesses = DedicatedExecutor(label: "docrelay-test-child-processes")
    /// Servers the tests run in their own process (webhooks).
    public static let servers = DedicatedExecutor(label: "docrelay-test-servers")

    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs blocking or CPU-bound `body` on a thread of its own, never on the cooperative pool, so
/// that the other tests' tasks go on meanwhile.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
