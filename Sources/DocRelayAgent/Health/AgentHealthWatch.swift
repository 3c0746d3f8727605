import DocRelayCore
import DocRelayDaemon
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle

/// The agent's watch for `/healthz` (docs/operations.md, "/healthz of the agent"): probes the
/// broker, measures the lag of its `in` topic, and halts the agent on a fatal producer error.
struct AgentHealthWatch: Sendable {
    let producer: KafkaProducer
    let status: AgentStatus
    let thresholds: Liveness.Thresholds
    /// The agent's consumer group and `in` topic, when it receives.
    let lagOf: (group: String, topic: String)?
    let kafka: KafkaSettings
    let logger: Logger

    /// How long the agent may take to stop once it halts before the process exits anyway (exit 1).
    static let haltGrace: Duration = .seconds(5)

    /// Every 200 ms: has the producer failed fatally? Throws `AgentHalt` when it has, after
    /// `/healthz` says so and a watchdog is set to end the process within `haltGrace`.
    func watchForFatalError() async throws {
        while !Task.isCancelled {
            if let fatal = producer.fatalError {
                let halt = AgentHalt(error: fatal, cluster: producer.bootstrapServers)
                startHalt(halt)
                throw halt
            }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .milliseconds(200)) })) != nil else { return }
        }
    }

    /// Says why on `/healthz` and in the log, and ends the process after `haltGrace` if the
    /// agent has not stopped by then (work in hand may wait on a producer that never answers).
    func startHalt(_ halt: AgentHalt) {
        guard status.fail(halt.description) else { return }
        logger.critical("The agent halts; the process ends within \(Self.haltGrace)", metadata: [LogKey.error: "\(halt)"])
        DaemonWatch.exitAfter(
            Self.haltGrace, logger: logger, "The agent did not stop within its grace after halting; exiting", reason: "\(halt)")
    }

    /// Every 5 s (or half `brokerUnreachableAfter`): does a broker answer a metadata request?
    func probeKafka() async throws {
        await DaemonWatch.probe(producer, brokerUnreachableAfter: thresholds.brokerUnreachableAfter) { status.probed(error: $0) }
    }

    /// Every 15 s: how far the agent's group is behind on its `in` topic (records).
    func measureLag() async throws {
        guard let lagOf else { return }
        _ = try? await cancelWhenGracefulShutdown {
            let admin = try KafkaAdmin(settings: kafka, logger: logger)
            while !Task.isCancelled {
                do {
                    let lag = try await admin.lag(group: lagOf.group, topic: lagOf.topic).values.reduce(0, +)
                    status.measuredLag(lag, keep: thresholds.lagGrowingFor)
                } catch {
                    logger.notice("Lag not measured this time", metadata: [LogKey.error: "\(error)"])
                }
                try await Task.sleep(for: .seconds(15))
            }
        }
    }
}
