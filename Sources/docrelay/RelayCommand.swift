import ArgumentParser
import DocRelay
import DocRelayAdmin
import DocRelayCore
import DocRelayDaemon
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `docrelay relay --config hub.yaml`: the relay daemon of one hub.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the relay daemon of one hub: verify, deliver, acknowledge, retry, dead-letter.",
        discussion: """
            The configuration (hub.yaml) is described in docs/relay.md. SIGTERM or SIGINT: finish \
            the records in processing, commit, flush, exit. SIGHUP: reload the directory and the \
            trust files (anchors, intermediates, CRLs; also every trust.reload-every).
            """)

    @Option(help: ArgumentHelp("The relay's configuration file.", valueName: "hub.yaml"))
    var config: String

    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        guard let (setup, logger) = try daemon.start(
            label: "docrelay.relay", resolve: { try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: config)) },
            summary: Self.summary)
        else { return }
        let registry = MetricsBootstrap.prometheus(timerBuckets: RelayMetrics.timerBuckets)
        let metrics = RelayMetrics(topics: setup.topics, tiers: setup.configuration.retryTiers)
        let relay = RelayService(setup: setup, logger: logger, metrics: metrics)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let listen = setup.configuration.adminListen {
            // First in the group, so it stops last and answers while the relay drains.
            let status = relay.status
            let trust = setup.trust
            services.append(.init(service: AdminServer(
                configuration: .init(host: listen.host, port: listen.port), registry: registry,
                help: MetricHelp(RelayMetrics.help), logger: logger,
                health: {
                    RelayHealth.report(status.snapshot, trust: trust.status(), thresholds: setup.configuration.health)
                })))
        }
        services.append(.init(service: relay, successTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: DirectoryReloadService(store: setup.directory, logger: logger)))
        services.append(.init(service: TrustReloadService(
            source: setup.trust, every: setup.configuration.trustReloadEvery, logger: logger,
            report: { metrics.trustReported($0) })))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as KafkaError {
            throw error.startupFailure
        } catch let error as LedgerUnavailable {
            throw CommandFailure.configuration("\(error)")
        }
    }

    static func summary(_ setup: RelaySetup) -> String {
        let configuration = setup.configuration
        let directory = setup.directory.current
        let local = directory.agencies.filter { directory.homeHub(of: $0.code)?.id == setup.hub.id }
        return """
            \(configuration.path): valid
              hub: \(setup.hub.id) (\(setup.hub.name)), instance \(configuration.instance)
              directory: \(configuration.directoryPath): \(directory.hubs.count) hubs, \(directory.agencies.count) agencies (\(local.count) at this hub)
              trust: \(configuration.anchorFiles.count) anchor file(s), \(configuration.crlFiles.count) CRL file(s), revocation \(setup.trust.status().revocation), reloaded \(configuration.trustReloadEvery.map { "every \(RetentionSummary.age($0))" } ?? "on SIGHUP only")
              identity: \(setup.identity.certificate.subject)
              kafka: \(setup.kafka.bootstrapServers.joined(separator: ",")), topics \(setup.topics.prefix).*
              consumer group: \(configuration.consumerGroup), \(configuration.workers) workers
              retry tiers: \(configuration.retryTiers.map(\.name).joined(separator: ", ")), max age \(configuration.maxAge)
            """
    }
}

/// `/healthz` for the relay: healthy once connected and running, with its assignment, work in
/// processing and producer queue as details; unhealthy (503) when it halts (`RelayHalt`) or by
/// the liveness rules (`Liveness`: Kafka unreachable, no progress, lag growing); degraded while an inbox's unread records near
/// their retention or were deleted unread (one warning per inbox, `RetentionSummary.warnings`),
/// while a CRL is past its nextUpdate or the last trust reload failed (`TrustStatus.warnings`).
/// `details.revocation` says whether revocation is checked (`TrustStatus.revocation`).
enum RelayHealth {
    static func report(
        _ snapshot: RelayStatus.Snapshot, trust: TrustStatus? = nil, thresholds: Liveness.Thresholds = .init(),
        now: ContinuousClock.Instant = .now
    ) -> HealthReport {
        var report = HealthReport.healthy(details: [
            "phase": snapshot.phase.rawValue,
            "partitions": String(snapshot.assignedPartitions),
            "retryPartitions": String(snapshot.assignedRetryPartitions),
            "inProcessing": String(snapshot.recordsInProcessing),
            "producerQueue": String(snapshot.producerQueue),
        ])
        if let trust {
            report.details["revocation"] = trust.revocation
            for warning in trust.warnings { report.warn(warning) }
        }
        if let failure = snapshot.failure { report.fail(failure) }
        if snapshot.phase == .running {
            for reason in snapshot.liveness.reasons(at: now, thresholds) { report.fail(reason) }
        }
        switch snapshot.phase {
        case .starting: report.fail(snapshot.starting)
        case .stopping, .stopped: report.fail("the relay is stopping")
        case .running: break
        }
        if snapshot.producerQueue > 50_000 {
            report.fail("the producer's queue holds \(snapshot.producerQueue) unacknowledged records")
        }
        if let retention = snapshot.retention {
            report.details["inboxesChecked"] = String(retention.checked)
            report.details["oldestUnread"] = RetentionSummary.age(retention.oldestUnreadAge)
            for warning in retention.warnings() { report.warn(warning) }
        }
        return report
    }
}
