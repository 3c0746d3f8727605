import ArgumentParser
import DocRelay
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Synchronization

/// `docrelay-bench backlog-relay --config hub.yaml`: the relay alone in this process, as
/// `docrelay relay --config` runs it (`RelaySetup`, `RelayService` in a `ServiceGroup`, stopped
/// gracefully by SIGTERM), for `backlog`, which hosts the cluster in its own process so that
/// this process's peak RSS is the relay's. Once stopped, prints one JSON line: the peak RSS and
/// what glibc's allocator held when the sampled RSS peaked.
///
/// The peak RSS is `VmHWM` (the high-water mark of this process's own address space), not
/// `ru_maxrss`: Linux's `exec` folds the high-water RSS of the address space it replaces into
/// `ru_maxrss`, and a child spawned with `vfork`/`posix_spawn` (as Foundation's `Process` does)
/// replaces its parent's, so `ru_maxrss` here is at least the parent's RSS, mock broker and
/// backlog included (1.4 GiB in a trial run whose relay's own peak was 0.45 GiB).
struct BacklogRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backlog-relay",
        abstract: "Run the relay from hub.yaml until SIGTERM, then print its peak RSS as JSON (for `backlog`).",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("The relay's configuration file.", valueName: "hub.yaml"))
    var config: String

    func run() async throws {
        PassThroughCommand.armWatchdog(after: RelayCommand.watchdog)
        let logger = BenchLogging.makeLogger()
        let setup = try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: config))
        let sampler = MemorySampler()
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: RelayService(setup: setup, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        // SIGTERM: a graceful stop, as `docrelay relay` does it (its ServiceGroup's signal).
        signal(SIGTERM, SIG_IGN)
        let terminate = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        terminate.setEventHandler { Task { await group.triggerGracefulShutdown() } }
        terminate.resume()
        // On a thread of its own: the cooperative pool is busy with the relay's workers.
        let sampling = Thread { sampler.run(every: 0.02) }
        sampling.name = "docrelay-bench-memory"
        sampling.start()
        try await group.run()
        terminate.cancel()
        sampler.stop()
        var result = sampler.result
        result.peakRSSKiB = MemorySampler.status("VmHWM:") ?? 0
        result.ruMaxRSSKiB = ProcessStats.peakRSSKiB()
        print(result.jsonLine)
    }
}

/// What `backlog-relay` reports of its memory.
struct RelayMemoryResult: Sendable, Codable, Hashable {
    /// `VmHWM` (`/proc/self/status`) once the relay stopped: the peak RSS, in KiB.
    var peakRSSKiB = 0
    /// `ru_maxrss` then, in KiB: the parent's RSS at the spawn if higher (see above).
    var ruMaxRSSKiB = 0
    /// The highest RSS sampled (every 20 ms, `/proc/self/statm`), in KiB.
    var sampledPeakRSSKiB = 0
    /// At that sample, glibc's allocator (`malloc_info`): bytes in use (its arenas' memory less
    /// their free chunks, plus mmapped chunks), bytes free in its arenas, of which mmapped
    /// chunks, in KiB; its arenas; and the process's threads.
    var mallocInUseKiB = 0
    var mallocFreeKiB = 0
    var mallocMmappedKiB = 0
    var mallocArenas = 0
    var threads = 0
    /// The most bytes in use by glibc's allocator in any sample, in KiB: the relay's live heap
    /// at its largest (records, buffers, everything malloc'd), beside the RSS it left behind.
    var peakMallocInUseKiB = 0

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Samples this process's RSS and, at each new peak, glibc's allocator statistics.
final class MemorySampler: Sendable {
    private let state = Mutex(RelayMemoryResult())

    var result: RelayMemoryResult { state.withLock { $0 } }

    private let stopped = Mutex(false)

    func stop() {
        stopped.withLock { $0 = true }
    }

    /// Samples every `interval` seconds until `stop()`; blocking.
    func run(every interval: TimeInterval) {
        let pageKiB = Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
        while !stopped.withLock({ $0 }) {
            if let resident = Self.residentPages() {
                let rss = resident * pageKiB
                let info = MallocInfo.current()
                if let info {
                    state.withLock { $0.peakMallocInUseKiB = max($0.peakMallocInUseKiB, info.inUse / 1024) }
                }
                if rss > result.sampledPeakRSSKiB {
                    let threads = Self.threads()
                    state.withLock {
                        $0.sampledPeakRSSKiB = rss
                        if let info {
                            $0.mallocInUseKiB = info.inUse / 1024
                            $0.mallocFreeKiB = info.free / 1024
                            $0.mallocMmappedKiB = info.mmapped / 1024
                            $0.mallocArenas = info.arenas
                        }
                        $0.threads = threads
                    }
                }
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// The second field of `/proc/self/statm`: resident pages.
    private static func residentPages() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? Int(fields[1]) : nil
    }

    private static func threads() -> Int {
        status("Threads:") ?? 0
    }

    /// The number after `field` in `/proc/self/status` (e.g. `VmHWM:`, in kB).
    static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return nil }
        return Int(line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
}

/// glibc's allocator totals, read from `malloc_info` (its XML), which Swift's Glibc module does
/// not declare (nor `mallinfo2`): looked up with `dlsym`, written into an `open_memstream`.
struct MallocInfo {
    var inUse: Int
    var free: Int
    var mmapped: Int
    var arenas: Int

    private typealias Function = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32

    static func current() -> MallocInfo? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info") else { return nil }
        let function = unsafeBitCast(symbol, to: Function.self)
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard let stream = open_memstream(&buffer, &length) else { return nil }
        let status = function(0, stream)
        fclose(stream)
        defer { Glibc.free(buffer) }
        guard status == 0, let buffer else { return nil }
        return parse(String(cString: buffer))
    }

    /// The totals after the last `</heap>`: `<total type="fast|rest|mmap" count size/>`,
    /// `<system type="current" size/>` (what the arenas took from the system).
    static func parse(_ xml: String) -> MallocInfo? {
        let arenas = xml.components(separatedBy: "<heap nr=").count - 1
        guard let end = xml.range(of: "</heap>", options: .backwards) else { return nil }
        let totals = xml[end.upperBound...]
        func size(_ element: String, _ type: String) -> Int {
            guard let start = totals.range(of: "<\(element) type=\"\(type)\""),
                  let sizeStart = totals[start.upperBound...].range(of: "size=\"")
            else { return 0 }
            let digits = totals[sizeStart.upperBound...].prefix { $0.isNumber }
            return Int(digits) ?? 0
        }
        let free = size("total", "fast") + size("total", "rest")
        let mmapped = size("total", "mmap")
        let system = size("system", "current")
        return MallocInfo(inUse: system - free + mmapped, free: free, mmapped: mmapped, arenas: arenas)
    }
}
