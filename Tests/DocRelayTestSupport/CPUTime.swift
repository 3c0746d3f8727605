#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` and returns the CPU time its thread spent: unlike wall-clock time, it does not
/// grow when the rest of the suite runs on the same cores, so a limit on it is not flaky.
/// `body` must not suspend (it runs on one thread from start to end).
public func measure(_ body: () throws -> Void) rethrows -> Duration {
    func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
    let start = now()
    try body()
    return now() - start
}
