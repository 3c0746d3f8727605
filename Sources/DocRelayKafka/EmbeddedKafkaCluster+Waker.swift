import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes the thread of librdkafka's mock cluster when a command to it (create a topic, set a
/// broker down...) has waited `patience` without any command finishing.
///
/// Why it is needed (librdkafka 2.0.2, `rdkafka_mock.c`; seen as well with 2.8.0): each mock
/// command is an op posted to the cluster thread's queue, and the caller blocks until that
/// thread answers. Posting writes one wake-up byte to a pipe the thread polls, but only while no
/// byte is pending since the thread last served the queue (`rd_kafka_q_io_event`). The thread
/// serves the queue first and drains the pipe afterwards (`rd_kafka_mock_cluster_io_poll`, then
/// `rd_kafka_mock_cluster_op_io`), so the byte of a command posted in between is drained unseen:
/// that command waits for the thread's poll timeout, up to 1 s. A caller that posts its next
/// command as soon as it has the answer lands in that window again and again: `docrelay broker
/// --provision` of 200 agencies (407 topics) took 25 s to over 60 s, of 2,000 agencies (4,007
/// topics) over 60 s (in the field: never ready), all with no CPU used. With this waker: about
/// 0.2 s and 0.5-0.8 s; 20,007 topics take 3 s, most of it librdkafka's linear search of its
/// topic list.
///
/// The cure: open and close a TCP connection to a listening broker of the cluster. Its listener
/// becomes readable, the cluster thread's poll returns, and every poll serves the queue whatever
/// woke it. The connection itself is accepted and closed by the mock without effect.
final class MockClusterWaker: Sendable {
    private struct State {
        var inFlight = 0
        /// Commands finished so far: the watcher kicks only when this stands still.
        var finished: UInt64 = 0
        /// Whether the watcher thread exists and is not parked.
        var watching = false
        var threadStarted = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let unpark = DispatchSemaphore(value: 0)
    private let ports: [UInt16]
    private let patience: Duration

    /// `bootstrapServers`: the cluster's `127.0.0.1:port,...`; `patience`: how long a command
    /// may wait before the cluster thread is woken (default 200 µs; an answer takes tens of µs,
    /// and a needless wake-up costs the cluster one accepted connection).
    init(bootstrapServers: String, patience: Duration = .microseconds(200)) {
        ports = bootstrapServers.split(separator: ",").compactMap { address in
            address.split(separator: ":").last.flatMap { UInt16($0) }
        }
        self.patience = patience
    }

    /// Runs `command`, a blocking call into the mock cluster, watched.
    func run<Result>(_ command: () -> Result) -> Result {
        let (startThread, signal) = state.withLock { state -> (Bool, Bool) in
            state.inFlight += 1
            guard !state.watching, !state.stopped else { return (false, false) }
            state.watching = true
            let start = !state.threadStarted
            state.threadStarted = true
            return (start, !start)
        }
        if startThread { startWatcher() } else if signal { unpark.signal() }
        defer {
            state.withLock { state in
                state.inFlight -= 1
                state.finished &+= 1
            }
        }
        return command()
    }

    /// Ends the watcher (it exits within `patience`). Called before the cluster is destroyed.
    func stop() {
        let parked = state.withLock { state -> Bool in
            state.stopped = true
            return state.threadStarted && !state.watching
        }
        if parked { unpark.signal() }
    }

    private func startWatcher() {
        let thread = Thread { [self] in watch() }
        thread.name = "docrelay:mock-waker"
        thread.start()
    }

    /// Watches while commands are in flight, parks when none is, returns once stopped.
    private func watch() {
        while true {
            let seen = state.withLock { state -> (stopped: Bool, idle: Bool, finished: UInt64) in
                if !state.stopped && state.inFlight == 0 { state.watching = false }
                return (state.stopped, state.inFlight == 0, state.finished)
            }
            if seen.stopped { return }
            if seen.idle {
                unpark.wait()
                continue
            }
            let (seconds, attoseconds) = patience.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            let stalled = state.withLock { state in
                !state.stopped && state.inFlight > 0 && state.finished == seen.finished
            }
            if stalled { kick() }
        }
    }

    /// Connects to the first broker that accepts and hangs up at once. Non-blocking: a broker
    /// that is down refuses at once, and a full listen queue is readable already. (A broker
    /// listens on 127.0.0.1 only, as `rd_kafka_mock_cluster_new` binds it.)
    private func kick() {
        for port in ports {
            let descriptor = socket(AF_INET, Self.nonBlockingStream, 0)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            #if !os(Linux)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            #endif
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result == 0 || errno == EINPROGRESS { return }
        }
    }

    /// A stream socket, non-blocking and closed on exec (never inherited by a process spawned meanwhile).
    #if os(Linux)
    private static let nonBlockingStream = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
    #else
    private static let nonBlockingStream = SOCK_STREAM
    #endif
}
