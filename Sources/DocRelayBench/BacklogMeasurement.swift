import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Logging
import Subprocess
import Synchronization
import SystemPackage

/// One `docrelay-bench backlog` measurement: the relay's peak RSS under a backlog of documents
/// of the largest size, several times its memory budget.
///
/// This process hosts the cluster (the hub of `RelayHub`, with `workload.partitions` per agency
/// topic) and signs and produces the documents; the relay runs in a child process
/// (`backlog-relay`, as `docrelay relay --config hub.yaml` runs it), so that its `ru_maxrss`
/// is the relay's alone, without the mock broker's copy of every record. Twice, each time a
/// fresh relay process in the same group: first with `baselineDocuments` waiting (one per
/// agency), then with the backlog. Each time the documents wait in the out topics before the
/// relay starts; the run ends when every inbox holds all its documents and every sender all its
/// acks (inbox high watermarks polled every 20 ms), and the relay is then stopped with SIGTERM.
/// Checked at the end: every inbox holds exactly its documents and acks, no partition of an out
/// or in topic lost a record to the mock's size limit, the dead-letter and retry topics are
/// empty, and the relay's group committed every out topic to its end.
struct BacklogMeasurement: Sendable {
    let workload: BacklogWorkload
    let logger: Logger

    static let pollInterval: Duration = .milliseconds(20)
    /// Longest wait for any progress (the mock's group join included) before the run is stuck.
    static let stallLimit: Duration = .seconds(120)

    func run() async throws -> BacklogResult {
        let (workload, logger) = (workload, logger)
        let hub = try await DedicatedThread.run(name: "docrelay-bench-pki") {
            try RelayHub(
                workers: nil, kafkaProperties: RelayMeasurement.mockFetchWait, agencyPartitions: workload.partitions,
                logger: logger)
        }
        defer { hub.removeFiles() }
        let configuration = try hub.relaySetup().configuration
        guard configuration.maxValueBytes == workload.size else {
            throw BenchFailure(
                "documents of \(workload.size) bytes, but the relay's limits.max-value-bytes is \(configuration.maxValueBytes)")
        }
        let documents = BacklogDocuments(hub: hub, workload: workload)
        var settings = KafkaProducerSettings(connection: hub.cluster.settings)
        settings.maxRecordBytes = configuration.maxRecordBytes
        let producer = try await KafkaProducer.connect(settings: settings, logger: logger)
        let baseline: BacklogRun
        let backlog: BacklogRun
        do {
            baseline = try await relayRun(hub: hub, documents: documents, range: workload.baselineRange, producer: producer)
            Self.progress("baseline: \(Self.summary(baseline))")
            backlog = try await relayRun(hub: hub, documents: documents, range: workload.backlogRange, producer: producer)
            Self.progress("backlog: \(Self.summary(backlog))")
        } catch {
            await producer.close(timeout: .seconds(1))
            throw error
        }
        await producer.close()
        let inboxRecords = try await checkOutcome(hub: hub, documents: documents)
        withExtendedLifetime(hub.cluster) {}
        return BacklogResult(
            size: workload.size, partitions: workload.partitions, memoryBudget: configuration.memoryBudget,
            maxRecordBytes: configuration.maxRecordBytes, workers: configuration.workers,
            baseline: baseline, backlog: backlog, inboxRecords: inboxRecords)
    }

    static func summary(_ run: BacklogRun) -> String {
        "\(run.documents) documents drained in \(String(format: "%.2f", run.drainSeconds)) s, relay peak RSS "
            + "\(run.memory.peakRSSKiB / 1024) MiB, \(run.residentAtEndKiB / 1024) MiB once drained"
    }

    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("[backlog] \(line)\n".utf8))
    }

    /// Produces documents `range` into the out topics, then runs a relay process until they are
    /// all delivered and acked, and stops it.
    private func relayRun(
        hub: RelayHub, documents: BacklogDocuments, range: Range<Int>, producer: KafkaProducer
    ) async throws -> BacklogRun {
        try await documents.produce(range, with: producer)
        let bootstrap = hub.cluster.bootstrapServers
        let partitions = workload.partitions
        let outTotal = try await RelayMeasurement.totals(bootstrap, hub.outTopics, partitions: partitions).values.reduce(0, +)
        guard outTotal == Int64(range.upperBound) else {
            throw BenchFailure("the out topics hold \(outTotal) documents, expected \(range.upperBound)")
        }
        let expected = documents.expectedInboxCounts(0..<range.upperBound)
        let inboxes = hub.inboxTopics.map { (name: $0, partitions: partitions) }
        let child = try await RelayChild(configurationPath: hub.configurationPath)
        do {
            let (drain, fromStart, residentAtEnd) = try await DedicatedThread.run(name: "docrelay-bench-watch") {
                let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: inboxes)
                defer { probe.close() }
                return try Self.watch(probe, until: expected, child: child)
            }
            let memory = try await child.stop()
            return BacklogRun(
                documents: range.count, drainSeconds: RelayMeasurement.seconds(drain),
                secondsFromStart: RelayMeasurement.seconds(fromStart), memory: memory, residentAtEndKiB: residentAtEnd)
        } catch {
            await child.kill()
            throw error
        }
    }

    /// Polls until every inbox holds its `expected` count; returns the time from the first new
    /// record in any inbox to that moment, the time from the child's start, and the child's RSS then.
    static func watch(
        _ probe: WatermarkProbe, until expected: [String: Int64], child: RelayChild
    ) throws -> (Duration, Duration, Int) {
        let clock = ContinuousClock()
        let initial = try probe.totals().values.reduce(0, +)
        var first: ContinuousClock.Instant?
        var lastTotal = initial
        var lastProgress = clock.now
        while true {
            guard child.isRunning else { throw BenchFailure("the relay process exited before it had delivered everything") }
            let totals = try probe.totals()
            let now = clock.now
            let total = totals.values.reduce(0, +)
            if first == nil, total > initial { first = now }
            if let first, expected.allSatisfy({ totals[$0.key, default: 0] >= $0.value }) {
                return (now - first, now - child.started, child.residentKiB() ?? 0)
            }
            if total != lastTotal {
                lastTotal = total
                lastProgress = now
            } else if now - lastProgress > stallLimit {
                throw BenchFailure("the relay stalled: the inboxes hold \(total) records of \(expected.values.reduce(0, +))")
            }
            Thread.sleep(forTimeInterval: RelayMeasurement.seconds(pollInterval))
        }
    }

    /// After both runs: exact inbox contents with nothing dropped, no out record dropped before
    /// it was read, nothing retried or dead-lettered, every out topic committed to its end.
    /// Returns the records in the inboxes.
    private func checkOutcome(hub: RelayHub, documents: BacklogDocuments) async throws -> Int {
        let total = workload.totalDocuments
        let expected = documents.expectedInboxCounts(0..<total)
        let admin = try await KafkaAdmin.connect(settings: hub.cluster.settings, logger: logger)
        var inboxRecords: Int64 = 0
        for topic in hub.inboxTopics + hub.outTopics {
            let offsets = try await admin.partitionOffsets(topic: topic)
            if let dropped = offsets.first(where: { $0.low != 0 }) {
                throw BenchFailure(
                    "\(topic)[\(dropped.partition)] starts at offset \(dropped.low): the mock cluster dropped records")
            }
            let high = offsets.reduce(Int64(0)) { $0 + $1.high }
            if let wanted = expected[topic] {
                guard high == wanted else { throw BenchFailure("\(topic) holds \(high) records, expected \(wanted) (documents and acks)") }
                inboxRecords += high
            }
        }
        let refused = try await RelayMeasurement.totals(
            hub.cluster.bootstrapServers, [hub.topics.deadLetters] + hub.retryTopics, partitions: workload.partitions)
        if let (topic, count) = refused.first(where: { $0.value != 0 }) {
            throw BenchFailure("\(topic) holds \(count) records: the relay refused or retried documents")
        }
        let committed = try await admin.committedOffsets(group: "docrelay-relay-\(RelayHub.hubID)", topics: hub.outTopics)
        let committedTotal = committed.values.reduce(0, +)
        guard committedTotal == Int64(total) else {
            throw BenchFailure("the relay committed \(committedTotal) of the \(total) documents of the out topics")
        }
        return Int(inboxRecords)
    }
}

/// A `backlog-relay` child process: the relay alone, started with swift-subprocess (see
/// `ChildRun.output`), its standard output in a temporary file, reaped by a task of its own.
final class RelayChild: Sendable {
    private let processIdentifier: Int32
    private let outputPath: String
    private let ended = Ended()
    private let reaper: Task<Void, Never>
    let started: ContinuousClock.Instant

    init(configurationPath: String) async throws {
        outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("docrelay-bench-relay-\(UUID().uuidString).out").path
        let output = try FileDescriptor.open(
            FilePath(outputPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let configuration = Configuration(
            executable: .path(FilePath(try ChildRun.executable().path)),
            arguments: ["backlog-relay", "--config", configurationPath])
        started = ContinuousClock.now
        let spawned = AsyncThrowingStream<Int32, any Error>.makeStream()
        let ended = ended
        reaper = Task {
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .fileDescriptor(output, closeAfterSpawningProcess: true),
                    error: .currentStandardError
                ) { execution in
                    spawned.continuation.yield(execution.processIdentifier.value)
                    spawned.continuation.finish()
                }
                ended.status.withLock { $0 = result.terminationStatus }
            } catch {
                spawned.continuation.finish(throwing: error)
                ended.status.withLock { $0 = .exited(-1) }
            }
        }
        var identifiers = spawned.stream.makeAsyncIterator()
        guard let identifier = try await identifiers.next() else {
            throw BenchFailure("the relay process did not start")
        }
        processIdentifier = identifier
    }

    var isRunning: Bool { ended.status.withLock { $0 == nil } }

    /// Its resident set now (`VmRSS`), in KiB.
    func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }

    /// SIGTERM (a graceful stop), then its JSON line.
    func stop() async throws -> RelayMemoryResult {
        signal(SIGTERM)
        await reaper.value
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let status = ended.status.withLock { $0 }
        guard status?.isSuccess == true, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw BenchFailure("the relay process failed (\(status.map { "\($0)" } ?? "not ended")); output: \(text)")
        }
        return try JSONDecoder().decode(RelayMemoryResult.self, from: Data(line.utf8))
    }

    /// Ends it at once (after a failure).
    func kill() async {
        signal(SIGKILL)
        await reaper.value
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    /// How the child ended; nil while it runs.
    private final class Ended: Sendable {
        let status = Mutex<TerminationStatus?>(nil)
    }

    /// Sends `signal` while the child runs (never to a reused process id).
    private func signal(_ signal: Int32) {
        ended.status.withLock { status in
            if status == nil { _ = Foundation.kill(processIdentifier, signal) }
        }
    }
}
