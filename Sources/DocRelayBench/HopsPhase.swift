import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation

/// The timed part of one path in `docrelay-bench hops`, with every relay of the tree running:
/// a reader assigned to the recipient's inbox (as in `RelayMeasurement`'s latency phase) first
/// measures what the whole process takes while nothing is sent (`idleWindow`); then the path's
/// documents are sent one by one at `rate`, each timed from its send to the last relay's write
/// into the inbox (the record's CreateTime) and to its reading; the phase ends when every
/// document was read and every ack is back in the sender's inbox, so that the CPU it reports
/// covers the acks' way back through the same hubs too.
struct HopsPhase: Sendable {
    let tree: HopsTree
    let path: HopsPath
    let rate: Double
    /// `fetch.wait.max.ms` of the inbox reader (see `InboxReader`).
    let readerFetchWaitMilliseconds: Int

    /// How long the idle CPU is measured before the first send.
    static let idleWindow: Duration = .seconds(1)

    /// Sends `records` (the path's timed documents) with `producer`, on the sender's cluster;
    /// `acks` is how many acks the sender's inbox holds once they are all acknowledged.
    func run(_ records: [KafkaProducerRecord], producer: KafkaProducer, acks: Int64) async throws -> PathLatency {
        let inbox = tree.topics.inbox(path.recipient.code)
        let recipientBootstrap = try tree.cluster(path.recipient.hub).bootstrapServers
        let start = try await DedicatedThread.run(name: "docrelay-bench-watermarks") {
            let probe = try WatermarkProbe(
                bootstrapServers: recipientBootstrap, topics: [(inbox, HopsWorkload.partitions)])
            defer { probe.close() }
            return try probe.highWatermarks()
        }
        let (idle, idleContinuation) = AsyncStream.makeStream(of: Double.self)
        let fetchWait = readerFetchWaitMilliseconds
        let expected = records.count
        async let arrivals = DedicatedThread.run(name: "docrelay-bench-reader") {
            defer { idleContinuation.finish() }
            let reader = try InboxReader(bootstrapServers: recipientBootstrap, fetchWaitMilliseconds: fetchWait)
            defer { reader.close() }
            try reader.assign(start)
            try reader.warmUp(for: .milliseconds(300))
            let clock = ContinuousClock()
            let (began, cpu) = (clock.now, ProcessStats.cpuSeconds())
            try reader.warmUp(for: Self.idleWindow)
            idleContinuation.yield((ProcessStats.cpuSeconds() - cpu) / RelayMeasurement.seconds(clock.now - began))
            idleContinuation.finish()
            return try reader.run(expected: expected, limit: .seconds(120))
        }
        var idleCores: Double?
        for await cores in idle {
            idleCores = cores
            break
        }
        guard let idleCores else {
            _ = try await arrivals
            throw BenchFailure("the inbox reader of \(path.name) stopped before the first send")
        }

        let clock = ContinuousClock()
        let (began, cpuAtStart) = (clock.now, ProcessStats.cpuSeconds())
        let sent = try await RelayMeasurement.sendPaced(records, rate: rate, producer: producer)
        let read = try await arrivals
        try await waitForAcks(acks)
        let (seconds, cpu) = (RelayMeasurement.seconds(clock.now - began), ProcessStats.cpuSeconds() - cpuAtStart)

        var endToEnd: [Double] = []
        var untilWritten: [Double] = []
        for (id, sentAt) in sent {
            guard let arrival = read[id] else { throw BenchFailure("document \(id) never reached its inbox") }
            endToEnd.append(arrival.readAt - sentAt)
            untilWritten.append(Double(arrival.createdAt) - sentAt)
        }
        return PathLatency(
            hubs: path.hubs, documents: records.count, rate: rate,
            readP50Milliseconds: RelayMeasurement.percentile(endToEnd, 0.50),
            readP99Milliseconds: RelayMeasurement.percentile(endToEnd, 0.99),
            writeP50Milliseconds: RelayMeasurement.percentile(untilWritten, 0.50),
            writeP99Milliseconds: RelayMeasurement.percentile(untilWritten, 0.99),
            seconds: seconds, cpuSeconds: cpu, idleCores: idleCores)
    }

    /// Polls the sender's inbox on its cluster until it holds `count` records (its acks).
    private func waitForAcks(_ count: Int64) async throws {
        let topic = tree.topics.inbox(path.sender.code)
        let bootstrap = try tree.cluster(path.sender.hub).bootstrapServers
        _ = try await DedicatedThread.run(name: "docrelay-bench-acks") {
            let probe = try WatermarkProbe(bootstrapServers: bootstrap, topics: [(topic, HopsWorkload.partitions)])
            defer { probe.close() }
            return try RelayMeasurement.watch(probe, until: [topic: count])
        }
    }
}
