import Synchronization

/// A value behind a lock, shareable by reference between the poll thread, librdkafka's
/// callbacks and tasks. Never held across an `await`.
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
