public import DocRelayCore
public import DocRelayKafka
import Foundation
public import Logging
import ServiceLifecycle

/// What the relay and the agent do alike to keep `/healthz` true: probe the cluster, and end
/// the process when it halts and does not stop in time.
public enum DaemonWatch {
    /// Every 5 s, or half `brokerUnreachableAfter` if shorter: asks a broker for metadata and
    /// reports the outcome (`nil`: answered; else what the client said). Returns on cancellation
    /// or graceful shutdown.
    public static func probe(
        _ producer: KafkaProducer, brokerUnreachableAfter: Duration, report: (String?) -> Void
    ) async {
        let every = min(Duration.seconds(5), brokerUnreachableAfter / 2)
        while !Task.isCancelled {
            do {
                try await producer.probe(timeout: min(every, .seconds(3)))
                report(nil)
            } catch {
                report("\(error)")
            }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: every) })) != nil else { return }
        }
    }

    /// Ends the process with exit 1 after `grace` unless it ended before: for a daemon that
    /// halts (nothing more can be made durable), whose work in hand may wait on a producer that
    /// will never answer, or on a blocking request that does not end on cancellation. What was
    /// not committed is processed again after the restart.
    public static func exitAfter(_ grace: Duration, logger: Logger, _ message: Logger.Message, reason: String) {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: seconds)
            logger.critical(message, metadata: [LogKey.error: "\(reason)"])
            exit(1)
        }
    }
}

extension ConfigurationFields {
    /// `/healthz`'s thresholds (`broker-unreachable-after`, `stall-after`, `lag-growing-for`) in
    /// `fields`, starting from `defaults`: the relay's `admin:` and the agent's `api:` sections.
    public static func livenessThresholds(
        _ fields: YAMLMapping, defaults: Liveness.Thresholds
    ) throws(ConfigurationError) -> Liveness.Thresholds {
        var health = defaults
        health.brokerUnreachableAfter = try duration(
            fields, "broker-unreachable-after", default: health.brokerUnreachableAfter, range: .seconds(1)...(.seconds(3600)))
        health.stallAfter = try duration(fields, "stall-after", default: health.stallAfter, range: .seconds(1)...(.seconds(86_400)))
        health.lagGrowingFor = try duration(
            fields, "lag-growing-for", default: health.lagGrowingFor, range: .seconds(15)...(.seconds(86_400)))
        return health
    }
}
