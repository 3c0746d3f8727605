import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Large documents through the relay (`docrelay-bench large`, issue 13).
///
/// The relay runs first, so that the peak RSS is its own; then
/// 1. Raw: the raw pass-through (`RawPassThrough`) of at least `documents × size` bytes in
///    records of the segment size (512 KiB), in rounds of 72 records over its 24 partitions
///    (the same bytes, without the segments' headers: about 5 KiB each, 1 %).
/// 2. Relay: `RelayService` in this process, as `docrelay relay` runs it, on a `RelayHub`;
///    `documents` senders each send one document of `size` bytes, as segments, to their own
///    recipient, all at once. The embedded broker keeps about 5 MiB per partition and drops
///    older data silently, and a document's segments share one partition: each sender keeps at
///    most `window` segments (3 MiB) ahead of what its recipient's inbox holds, so the measure
///    is of the relay, paced by its own progress. The clock runs from the first segment
///    produced to every segment in its inbox and every sender's delivered ack; the dead-letter
///    topic must stay empty.
/// The documents are made segment by segment from a seed (signed over the SHA-256 streamed
/// through them), never held whole, so the peak RSS is the relay's and the cluster's.
struct LargeMeasurement: Sendable {
    let size: Int
    let documents: Int
    let logger: Logger
    static let window = 6
    /// Records of one round of the raw pass-through (36 MiB of 512 KiB records).
    static let rawRound = 72
    let segmentation = DocumentSegmentation()

    func run() async throws -> LargeResult {
        let segmentBytes = segmentation.segmentBytes
        let logger = logger
        let hub = try await DedicatedThread.run(name: "docrelay-bench-pki") {
            try RelayHub(workers: nil, kafkaProperties: RelayMeasurement.mockFetchWait, logger: logger)
        }
        defer { hub.removeFiles() }
        let resting = Self.currentRSSKiB()
        let setup = try hub.relaySetup()
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: RelayService(setup: setup, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger))
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: hub.cluster.settings), logger: logger)
        let relaySeconds = try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let seconds = try await send(hub: hub, producer: producer)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return seconds
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
        await producer.close()
        let dead = try await RelayMeasurement.totals(
            hub.cluster.bootstrapServers, [hub.topics.deadLetters], partitions: hub.agencyPartitions)
        guard dead.values.reduce(0, +) == 0 else { throw BenchFailure("the relay dead-lettered \(dead.values.reduce(0, +)) records") }
        withExtendedLifetime(hub.cluster) {}
        let peak = ProcessStats.peakRSSKiB()
        // In rounds of `rawRound` records: the pass-through's source is filled before its clock
        // starts, and its keys spread records unevenly over its 24 partitions; these never put
        // 5 MiB in one (the keys are the same each round).
        let rounds = (documents * size + Self.rawRound * segmentBytes - 1) / (Self.rawRound * segmentBytes)
        let rawRecords = rounds * Self.rawRound
        var rawSeconds = 0.0
        for _ in 0..<rounds {
            rawSeconds += RelayMeasurement.seconds(try await PassThroughCommand.measure(
                .raw, workload: BenchWorkload(size: segmentBytes, records: Self.rawRound), logger: logger))
        }

        let bytes = Double(documents * size)
        return LargeResult(
            size: size, documents: documents, segmentBytes: segmentBytes, relaySeconds: relaySeconds,
            relayMegabytesPerSecond: bytes / relaySeconds / 1e6, rawSeconds: rawSeconds,
            rawMegabytesPerSecond: Double(rawRecords * segmentBytes) / rawSeconds / 1e6,
            restingRSSKiB: resting, peakRSSKiB: peak)
    }

    /// Sends every document at once, each paced by its recipient's inbox; returns the seconds
    /// from the first segment produced to every segment and ack in place. The inboxes' high
    /// watermarks are read by one `WatermarkProbe` every 2 ms on a thread of its own (one small
    /// request; a metadata and offsets round trip per check would pace the senders instead).
    private func send(hub: RelayHub, producer: KafkaProducer) async throws -> Double {
        let agencies = RelayWorkload.agencies
        let count = segmentation.ranges(size: size).count
        var signedDocuments: [SignedHeaders] = []
        for index in 0..<documents {
            signedDocuments.append(try sign(index, from: agencies[index], to: agencies[index + documents], identity: hub.identities[index]))
        }
        let inboxes = hub.inboxTopics.map { (name: $0, partitions: hub.agencyPartitions) }
        let watch = InboxWatch()
        let bootstrap = hub.cluster.bootstrapServers
        let watching = Task {
            try await DedicatedThread.run(name: "docrelay-bench-large-watch") {
                let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: inboxes)
                defer { probe.close() }
                while !watch.stopped {
                    watch.update(try probe.highWatermarks().mapValues { $0.reduce(0, +) })
                    usleep(2_000)
                }
            }
        }
        defer { watch.stop() }
        // Not timed: the relay's group join (about 3 s on the mock). A small document from the
        // last agency to itself, once in its inbox, shows the relay consuming.
        let warmUpFrom = agencies[agencies.count - 1]
        let warmUpSigned = try DocumentSigner.sign(
            Array("warm-up".utf8), draft: DocumentDraft(from: warmUpFrom, to: [warmUpFrom], contentType: "text/plain"),
            identity: hub.identities[agencies.count - 1])
        try await producer.send(KafkaProducerRecord(
            topic: hub.topics.out(warmUpFrom), key: Array(warmUpSigned.id.utf8), value: Array("warm-up".utf8),
            headers: warmUpSigned.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
        try await watch.wait(for: hub.topics.inbox(warmUpFrom), toHold: 1)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for index in 0..<documents {
                let signed = signedDocuments[index]
                let inbox = hub.topics.inbox(agencies[index + documents])
                let out = hub.topics.out(agencies[index])
                tasks.addTask {
                    let records = DocumentRecords(signed: signed, size: size, segmentation: segmentation)
                    for (position, record) in records.records.enumerated() {
                        try await watch.wait(for: inbox, toHold: Int64(position - Self.window))
                        try await producer.send(KafkaProducerRecord(
                            topic: out, key: Array(signed.id.utf8), value: Self.bytes(of: index, range: record.range),
                            headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
                    }
                    try await watch.wait(for: inbox, toHold: Int64(count))
                }
            }
            try await tasks.waitForAll()
        }
        for index in 0..<documents {
            try await watch.wait(for: hub.topics.inbox(agencies[index]), toHold: 1)
        }
        let seconds = RelayMeasurement.seconds(ContinuousClock.now - started)
        watch.stop()
        try await watching.value
        return seconds
    }

    /// The signed headers of document `index` (its bytes streamed through SHA-256).
    private func sign(_ index: Int, from: String, to: String, identity: SigningIdentity) throws -> SignedHeaders {
        let digest = SHA256Stream()
        for range in segmentation.ranges(size: size) { digest.update(Self.bytes(of: index, range: range)) }
        var signed = SignedHeaders(
            id: "large-\(index)-\(UUID().uuidString.lowercased())", kind: .edoc, from: from, to: [to], createdAt: Date(),
            contentType: "application/pdf", sha256: digest.finishHex())
        signed.signature = Data(try CMSSigner.signDetached(signed.signatureBase, identity: identity)).base64EncodedString()
        return signed
    }

    /// The bytes of document `index` in `range`: a function of the position, so any part can be
    /// made again without holding the whole.
    static func bytes(of index: Int, range: Range<Int>) -> [UInt8] {
        range.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 13) &+ index) }
    }

    /// The resident set size now, in KiB (`VmRSS` of /proc/self/status).
    static func currentRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

/// The inboxes' record counts (sums of high watermarks: the mock drops data over 5 MiB per
/// partition, which moves the low watermark, not the high), as the probe last read them.
final class InboxWatch: Sendable {
    private let state = Mutex<(counts: [String: Int64], stopped: Bool, changedAt: ContinuousClock.Instant)>(([:], false, .now))

    var stopped: Bool { state.withLock { $0.stopped } }

    func stop() { state.withLock { $0.stopped = true } }

    func update(_ counts: [String: Int64]) {
        state.withLock { state in
            if counts != state.counts { state.changedAt = .now }
            state.counts = counts
        }
    }

    /// Waits until `topic` holds at least `count` records; fails after 60 s without any change.
    func wait(for topic: String, toHold count: Int64) async throws {
        guard count > 0 else { return }
        while true {
            let (held, changedAt) = state.withLock { ($0.counts[topic] ?? 0, $0.changedAt) }
            if held >= count { return }
            if ContinuousClock.now - changedAt > .seconds(60) {
                throw BenchFailure("\(topic) holds \(held) records, not \(count), and nothing moved for 60 s")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
