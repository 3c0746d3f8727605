import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle

/// One `docrelay-bench hops` measurement in this process: the latency of one relay beside that
/// of four, in the same tree, the same process and the same run.
///
/// Not timed: the tree (`HopsTree`: four clusters, PKI, directory, topics) and every document
/// signed. Then the four hubs' `RelayService`s start in this process, each built by
/// `RelaySetup` from its `<hub>.yaml` as `docrelay relay --config` builds it, in one
/// `ServiceGroup`; the warm-up documents of both paths are sent at once and waited for (the
/// mock's ~3 s group joins, the producers' first metadata); then each path in turn
/// (`HopsPhase`): the 1-hop path, then the 4-hop path. The relays are then stopped gracefully
/// and the outcome checked (`HopsCheck`).
struct HopsMeasurement: Sendable {
    let workload: HopsWorkload
    /// librdkafka properties of every hub's connection: `RelayMeasurement.mockFetchWait`, the
    /// single-hop relay's, unless changed for diagnosis.
    var kafkaProperties = RelayMeasurement.mockFetchWait
    /// `fetch.wait.max.ms` of the inbox reader.
    var readerFetchWaitMilliseconds = 10
    let logger: Logger

    func run() async throws -> HopsResult {
        let (workload, properties, logger) = (workload, kafkaProperties, logger)
        let tree = try await DedicatedThread.run(name: "docrelay-bench-pki") {
            try HopsTree(kafkaProperties: properties, logger: logger)
        }
        defer { tree.removeFiles() }
        let documents = try await DedicatedThread.run(name: "docrelay-bench-sign") {
            try HopsPath.all.map { try HopsDocuments(path: $0, workload: workload, tree: tree) }
        }
        var producers: [KafkaProducer] = []
        do {
            for path in documents {
                let cluster = try tree.cluster(path.path.sender.hub)
                producers.append(try await KafkaProducer.connect(
                    settings: KafkaProducerSettings(connection: cluster.settings), logger: logger))
            }
            let result = try await measure(tree: tree, documents: documents, producers: producers)
            for producer in producers { await producer.close() }
            return result
        } catch {
            for producer in producers { await producer.close(timeout: .seconds(1)) }
            throw error
        }
    }

    /// `producers[i]` sends `documents[i]`.
    private func measure(tree: HopsTree, documents: [HopsDocuments], producers: [KafkaProducer]) async throws -> HopsResult {
        let services = try HopsTopology.hubs.map { hub in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: RelayService(setup: try tree.relaySetup(hub.id), logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup)
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await warmUp(tree: tree, documents: documents, producers: producers)
                var latencies: [PathLatency] = []
                for (path, producer) in zip(documents, producers) {
                    let phase = HopsPhase(
                        tree: tree, path: path.path, rate: workload.rate,
                        readerFetchWaitMilliseconds: readerFetchWaitMilliseconds)
                    latencies.append(try await phase.run(
                        path.timed, producer: producer, acks: Int64(workload.documentsPerPath)))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                try await HopsCheck(tree: tree, documents: documents, logger: logger).run()
                guard latencies.count == 2 else { throw BenchFailure("expected two paths, measured \(latencies.count)") }
                return HopsResult(
                    size: workload.size, oneHop: latencies[0], fourHops: latencies[1],
                    peakRSSKiB: ProcessStats.peakRSSKiB())
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Sends every path's warm-up documents at once and waits until the recipient holds them
    /// all and each sender all its acks.
    private func warmUp(tree: HopsTree, documents: [HopsDocuments], producers: [KafkaProducer]) async throws {
        for (path, producer) in zip(documents, producers) {
            for record in path.warmUp { _ = try await producer.send(record) }
        }
        var expected: [String: [String: Int64]] = [:]
        for path in documents {
            let count = Int64(path.warmUp.count)
            expected[path.path.recipient.hub, default: [:]][tree.topics.inbox(path.path.recipient.code), default: 0] += count
            expected[path.path.sender.hub, default: [:]][tree.topics.inbox(path.path.sender.code), default: 0] += count
        }
        for (hub, counts) in expected.sorted(by: { $0.key < $1.key }) {
            let bootstrap = try tree.cluster(hub).bootstrapServers
            _ = try await DedicatedThread.run(name: "docrelay-bench-warm-up") {
                let probe = try WatermarkProbe(
                    bootstrapServers: bootstrap, topics: counts.keys.map { ($0, HopsWorkload.partitions) })
                defer { probe.close() }
                return try RelayMeasurement.watch(probe, until: counts)
            }
        }
    }
}
