import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle

/// Large documents through the relay (`docrelay-bench large`, issue 13).
///
/// The relay runs first, so that the peak RSS is its own; then
/// 1. Raw: the raw pass-through (`RawPassThrough`) of at least `documents × size` bytes in
///    records of the segment size (512 KiB), in rounds of 24 records over its 24 partitions
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
        // In rounds of 24 records (one per partition on average): the pass-through's source is
        // filled before its clock starts, and its keys spread records unevenly; 24 of them never
        // put 5 MiB in one partition (the keys are the same each round).
        let rounds = (documents * size + 24 * segmentBytes - 1) / (24 * segmentBytes)
        let rawRecords = rounds * 24
        var rawSeconds = 0.0
        for _ in 0..<rounds {
            rawSeconds += RelayMeasurement.seconds(try await PassThroughCommand.measure(
                .raw, workload: BenchWorkload(size: segmentBytes, records: 24), logger: logger))
        }

        let bytes = Double(documents * size)
        return LargeResult(
            size: size, documents: documents, segmentBytes: segmentBytes, relaySeconds: relaySeconds,
            relayMegabytesPerSecond: bytes / relaySeconds / 1e6, rawSeconds: rawSeconds,
            rawMegabytesPerSecond: Double(rawRecords * segmentBytes) / rawSeconds / 1e6,
            restingRSSKiB: resting, peakRSSKiB: peak)
    }

    /// Sends every document at once, each paced by its recipient's inbox; returns the seconds
    /// from the first segment produced to every segment and ack in place.
    private func send(hub: RelayHub, producer: KafkaProducer) async throws -> Double {
        let agencies = RelayWorkload.agencies
        let admin = try KafkaAdmin(settings: hub.cluster.settings, logger: logger)
        let count = segmentation.ranges(size: size).count
        var signedDocuments: [SignedHeaders] = []
        for index in 0..<documents {
            signedDocuments.append(try sign(index, from: agencies[index], to: agencies[index + documents], identity: hub.identities[index]))
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for index in 0..<documents {
                let signed = signedDocuments[index]
                let inbox = hub.topics.inbox(agencies[index + documents])
                let out = hub.topics.out(agencies[index])
                tasks.addTask {
                    let records = DocumentRecords(signed: signed, size: size, segmentation: segmentation)
                    for (position, record) in records.records.enumerated() {
                        try await Self.waitFor(admin, topic: inbox, toHold: Int64(position - Self.window))
                        try await producer.send(KafkaProducerRecord(
                            topic: out, key: Array(signed.id.utf8), value: Self.bytes(of: index, range: record.range),
                            headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
                    }
                    try await Self.waitFor(admin, topic: inbox, toHold: Int64(count))
                }
            }
            try await tasks.waitForAll()
        }
        for index in 0..<documents {
            try await Self.waitFor(admin, topic: hub.topics.inbox(agencies[index]), toHold: 1)
        }
        return RelayMeasurement.seconds(ContinuousClock.now - started)
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

    /// Waits until `topic` holds at least `count` records (polled every 5 ms, at most 60 s
    /// without progress).
    static func waitFor(_ admin: KafkaAdmin, topic: String, toHold count: Int64) async throws {
        guard count > 0 else { return }
        var last: Int64 = -1
        var since = ContinuousClock.now
        while true {
            // High watermarks: the mock drops what is over 5 MiB (the low one moves), not what was written.
            let held = try await admin.partitionOffsets(topic: topic).reduce(0) { $0 + $1.high }
            if held >= count { return }
            if held != last {
                last = held
                since = .now
            } else if ContinuousClock.now - since > .seconds(60) {
                throw BenchFailure("\(topic) holds \(held) records, not \(count), and nothing moved for 60 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The resident set size now, in KiB (`VmRSS` of /proc/self/status).
    static func currentRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
