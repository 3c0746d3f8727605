import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One relay measurement in this process (`docrelay-bench relay`).
///
/// Not timed: the hub (`RelayHub`), and the throughput phase's documents signed and produced
/// into the out topics. Then `RelayService` starts in this process, as `docrelay relay` runs
/// it, in a `ServiceGroup`:
/// 1. Throughput: the clock starts when the first document lands in an inbox and stops when
///    every inbox holds all its documents and every sender all its acks (inbox high watermarks
///    polled every 20 ms).
/// 2. Latency: `latencyDocuments` more, sent at `latencyLoad` × the throughput just measured,
///    each timed from its send to its reading from the recipient's inbox.
/// Then the relay is stopped gracefully and the outcome checked: every inbox holds exactly its
/// documents and acks, the dead-letter and retry topics are empty, every document has its
/// three events, and the relay's group committed every out topic to its end.
struct RelayMeasurement: Sendable {
    let workload: RelayWorkload
    /// The relay's `consumer.workers`, when not its default (diagnosis).
    var workers: Int?
    /// librdkafka properties for the relay's clients: `mockFetchWait` unless changed.
    var kafkaProperties = Self.mockFetchWait

    /// librdkafka's mock cluster holds a fetch that finds no new data for the consumer's whole
    /// `fetch.wait.max.ms` (500 ms by default), even when data arrives meanwhile; a real broker
    /// answers as soon as `fetch.min.bytes` (1) is there. With the default, whenever the relay
    /// has caught up, the next document waits up to 500 ms in the broker: the latency phase
    /// would measure the mock. The relay's consumers (and the inbox reader) therefore wait at
    /// most 10 ms here, which stands for a real broker's prompt answer.
    static let mockFetchWait = ["fetch.wait.max.ms": "10"]
    /// `fetch.wait.max.ms` of the latency phase's inbox reader (see `InboxReader`).
    var readerFetchWaitMilliseconds = 10
    let logger: Logger
    /// Prints each phase to standard error with the CLOCK_MONOTONIC time it began (for
    /// `perf record -k mono` then `perf report --time`).
    var progress = false

    static let pollInterval: Duration = .milliseconds(20)
    /// Longest wait for any progress (the first document included: the mock's group join
    /// takes ~3 s) before the run is declared stuck.
    static let stallLimit: Duration = .seconds(60)

    func run() async throws -> RelayResult {
        let (workload, workers, properties, logger) = (workload, workers, kafkaProperties, logger)
        let hub = try await DedicatedThread.run(name: "docrelay-bench-pki") {
            try RelayHub(workers: workers, kafkaProperties: properties, logger: logger)
        }
        defer { hub.removeFiles() }
        let documents = RelayDocuments(hub: hub, workload: workload)
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: hub.cluster.settings), logger: logger)
        do {
            let result = try await measure(hub: hub, documents: documents, producer: producer)
            await producer.close()
            withExtendedLifetime(hub.cluster) {}
            return result
        } catch {
            await producer.close(timeout: .seconds(1))
            throw error
        }
    }

    private func measure(hub: RelayHub, documents: RelayDocuments, producer: KafkaProducer) async throws -> RelayResult {
        let records = workload.records
        let latencyRange = records..<workload.totalDocuments
        phase("signing and producing \(records) documents")
        try await documents.produce(0..<records, with: producer)
        let latencyDocuments = try await DedicatedThread.run(name: "docrelay-bench-sign") {
            try documents.sign(latencyRange, created: Date())
        }
        let bootstrap = hub.cluster.bootstrapServers
        let outTotals = try await Self.totals(bootstrap, hub.outTopics, partitions: RelayWorkload.agencyPartitions)
        guard outTotals.values.reduce(0, +) == Int64(records) else {
            throw BenchFailure("the out topics hold \(outTotals.values.reduce(0, +)) documents, expected \(records)")
        }

        phase("starting the relay")
        let setup = try hub.relaySetup()
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: RelayService(setup: setup, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                var result = try await throughputPhase(hub: hub, documents: documents)
                result.workers = setup.configuration.workers
                phase("throughput phase done: \(Int(result.recordsPerSecond)) records/s")
                try await latencyPhase(
                    hub: hub, documents: documents, records: latencyDocuments, producer: producer, result: &result)
                phase("latency phase done")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                phase("relay stopped")
                try await checkOutcome(hub: hub, documents: documents)
                result.peakRSSKiB = ProcessStats.peakRSSKiB()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    private func phase(_ text: String) {
        guard progress else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let stamp = String(format: "%ld.%06ld", now.tv_sec, now.tv_nsec / 1_000)
        FileHandle.standardError.write(Data("[\(stamp)] \(text)\n".utf8))
    }

    // MARK: Throughput

    private func throughputPhase(hub: RelayHub, documents: RelayDocuments) async throws -> RelayResult {
        let expected = documents.expectedInboxCounts(0..<workload.records)
        let bootstrap = hub.cluster.bootstrapServers
        let inboxes = hub.inboxTopics.map { (name: $0, partitions: RelayWorkload.agencyPartitions) }
        let (elapsed, cpu) = try await DedicatedThread.run(name: "docrelay-bench-watch") {
            let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: inboxes)
            defer { probe.close() }
            return try Self.watch(probe, until: expected) { phase("first document in an inbox") }
        }
        let seconds = Self.seconds(elapsed)
        return RelayResult(
            size: workload.size, records: workload.records, seconds: seconds,
            recordsPerSecond: Double(workload.records) / seconds,
            megabytesPerSecond: Double(workload.records * workload.size) / seconds / 1e6,
            cpuSeconds: cpu, peakRSSKiB: 0, latencyDocuments: 0, latencyRate: 0,
            latencyP50Milliseconds: 0, latencyP99Milliseconds: 0,
            relayLatencyP50Milliseconds: 0, relayLatencyP99Milliseconds: 0, workers: nil)
    }

    /// Polls until every topic holds at least its `expected` count; returns the time from the
    /// first record seen in any of them to that moment, and the process's CPU seconds between.
    static func watch(
        _ probe: WatermarkProbe, until expected: [String: Int64], onFirst: () -> Void = {}
    ) throws -> (Duration, Double) {
        let clock = ContinuousClock()
        var started: (instant: ContinuousClock.Instant, cpu: Double)?
        var lastTotal: Int64 = -1
        var lastProgress = clock.now
        while true {
            let totals = try probe.totals()
            let now = clock.now
            let total = totals.values.reduce(0, +)
            if started == nil, total > 0 {
                started = (now, ProcessStats.cpuSeconds())
                onFirst()
            }
            if let started, expected.allSatisfy({ totals[$0.key, default: 0] >= $0.value }) {
                return (now - started.instant, ProcessStats.cpuSeconds() - started.cpu)
            }
            if total != lastTotal {
                lastTotal = total
                lastProgress = now
            } else if now - lastProgress > stallLimit {
                let wanted = expected.values.reduce(0, +)
                throw BenchFailure("the relay stalled: the inboxes hold \(total) records of \(wanted)")
            }
            Thread.sleep(forTimeInterval: seconds(pollInterval))
        }
    }

    // MARK: Latency

    private func latencyPhase(
        hub: RelayHub, documents: RelayDocuments, records: [KafkaProducerRecord], producer: KafkaProducer,
        result: inout RelayResult
    ) async throws {
        guard !records.isEmpty else { return }
        let bootstrap = hub.cluster.bootstrapServers
        let inboxes = hub.inboxTopics.map { (name: $0, partitions: RelayWorkload.agencyPartitions) }
        let start = try await DedicatedThread.run(name: "docrelay-bench-watermarks") {
            let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: inboxes)
            defer { probe.close() }
            return try probe.highWatermarks()
        }
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        let fetchWait = readerFetchWaitMilliseconds
        let expected = records.count
        async let arrivals = DedicatedThread.run(name: "docrelay-bench-reader") {
            let reader = try InboxReader(bootstrapServers: bootstrap, fetchWaitMilliseconds: fetchWait)
            defer { reader.close() }
            try reader.assign(start)
            try reader.warmUp(for: .milliseconds(300))
            readyContinuation.yield()
            readyContinuation.finish()
            return try reader.run(expected: expected, limit: .seconds(120))
        }
        for await _ in ready { break }

        let rate = max(result.recordsPerSecond * workload.latencyLoad, 1)
        let sent = try await Self.sendPaced(records, rate: rate, producer: producer)
        let read = try await arrivals

        var endToEnd: [Double] = []
        var untilWritten: [Double] = []
        for (id, sentAt) in sent {
            guard let arrival = read[id] else { throw BenchFailure("latency document \(id) never reached its inbox") }
            endToEnd.append(arrival.readAt - sentAt)
            untilWritten.append(Double(arrival.createdAt) - sentAt)
        }
        result.latencyDocuments = records.count
        result.latencyRate = rate
        result.latencyP50Milliseconds = Self.percentile(endToEnd, 0.50)
        result.latencyP99Milliseconds = Self.percentile(endToEnd, 0.99)
        result.relayLatencyP50Milliseconds = Self.percentile(untilWritten, 0.50)
        result.relayLatencyP99Milliseconds = Self.percentile(untilWritten, 0.99)
    }

    /// Sends `records` at `rate` per second, each when due (not in bursts); returns when each
    /// was sent (wall clock, ms since the epoch) by document id, once all are acknowledged.
    static func sendPaced(
        _ records: [KafkaProducerRecord], rate: Double, producer: KafkaProducer
    ) async throws -> [String: Double] {
        let clock = ContinuousClock()
        let failures = LockedCounter()
        let start = clock.now
        var sent: [String: Double] = [:]
        for (index, record) in records.enumerated() {
            let due = start.advanced(by: .nanoseconds(Int64(Double(index) / rate * 1e9)))
            if clock.now < due { try await Task.sleep(until: due, tolerance: .microseconds(100), clock: clock) }
            sent[String(decoding: record.key ?? [], as: UTF8.self)] = Date().timeIntervalSince1970 * 1000
            await producer.send(record) { result in
                if case .failure = result { failures.increment() }
            }
        }
        try await producer.flush(timeout: .seconds(60))
        guard failures.value == 0 else { throw BenchFailure("\(failures.value) latency documents not accepted") }
        return sent
    }

    /// The nearest-rank percentile `p` (0...1) of `values`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    // MARK: Outcome

    /// After the relay stopped: exact inbox contents, nothing retried or dead-lettered, every
    /// event written, every out topic committed to its end.
    private func checkOutcome(hub: RelayHub, documents: RelayDocuments) async throws {
        let total = workload.totalDocuments
        let bootstrap = hub.cluster.bootstrapServers
        let expected = documents.expectedInboxCounts(0..<total)
        let inboxes = try await Self.totals(bootstrap, hub.inboxTopics, partitions: RelayWorkload.agencyPartitions)
        for (topic, count) in expected.sorted(by: { $0.key < $1.key }) where inboxes[topic] != count {
            throw BenchFailure("\(topic) holds \(inboxes[topic] ?? 0) records, expected \(count) (documents and acks)")
        }
        let refused = try await Self.totals(
            bootstrap, [hub.topics.deadLetters] + hub.retryTopics, partitions: RelayWorkload.agencyPartitions)
        if let (topic, count) = refused.first(where: { $0.value != 0 }) {
            throw BenchFailure("\(topic) holds \(count) records: the relay refused or retried documents")
        }
        let events = try await Self.totals(bootstrap, [hub.topics.events], partitions: RelayWorkload.eventPartitions)
        let wantedEvents = Int64(total * RelayWorkload.eventsPerDocument)
        guard events[hub.topics.events, default: 0] >= wantedEvents else {
            throw BenchFailure("\(hub.topics.events) holds \(events[hub.topics.events, default: 0]) events, expected \(wantedEvents)")
        }
        let admin = try await KafkaAdmin.connect(settings: hub.cluster.settings, logger: logger)
        let committed = try await admin.committedOffsets(group: "docrelay-relay-\(RelayHub.hubID)", topics: hub.outTopics)
        let committedTotal = committed.values.reduce(0, +)
        guard committedTotal == Int64(total) else {
            throw BenchFailure("the relay committed \(committedTotal) of the \(total) documents of the out topics")
        }
    }

    /// The sum of the high watermarks of each of `topics`.
    static func totals(_ bootstrap: String, _ topics: [String], partitions: Int) async throws -> [String: Int64] {
        try await DedicatedThread.run(name: "docrelay-bench-watermarks") {
            let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: topics.map { ($0, partitions) })
            defer { probe.close() }
            return try probe.totals()
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

extension ProcessStats {
    /// The 1-minute load average (`/proc/loadavg`), or `unknown`.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
              let first = text.split(separator: " ").first
        else { return "unknown" }
        return String(first)
    }

    /// CPU time (user + system) this process used so far, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
