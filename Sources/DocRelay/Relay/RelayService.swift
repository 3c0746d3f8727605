import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
public import Logging
public import ServiceLifecycle

/// The relay daemon of one hub (`docrelay relay`): consumes the agencies' `out` topics (by
/// pattern, so new agencies need no restart) with `workers` records in processing at once, and
/// its retry topics, each retry waiting for its due time without holding other partitions;
/// commits an offset only once the outcome of every record before it is durable. Several
/// instances in one consumer group share the partitions. Beside the work: the lag every 15 s,
/// and every `retention.check-interval` the inboxes' unread records against their retention
/// (`InboxRetentionWatch`). On graceful shutdown it stops taking records, finishes those in
/// processing, commits and flushes.
public struct RelayService: Service {
    let setup: RelaySetup
    let logger: Logger
    let metrics: RelayMetrics
    /// Where the relay tells how it is, for `/healthz`.
    public let status: RelayStatus

    /// `metrics` bind to the metrics backend when made: create them after bootstrapping it.
    public init(setup: RelaySetup, logger: Logger, metrics: RelayMetrics? = nil, status: RelayStatus = RelayStatus()) {
        self.setup = setup
        self.metrics = metrics ?? RelayMetrics(topics: setup.topics, tiers: setup.configuration.retryTiers)
        self.status = status
        var logger = logger
        logger[metadataKey: LogKey.hub] = "\(setup.hub.id)"
        logger[metadataKey: LogKey.instance] = "\(setup.configuration.instance)"
        self.logger = logger
    }

    public func run() async throws {
        let configuration = setup.configuration
        // No record is taken before the acceptance ledger is read: a replay would pass.
        status.starting("the relay is loading its acceptance ledger \(setup.topics.accepted)")
        logger.info("Loading the acceptance ledger", metadata: [LogKey.topic: "\(setup.topics.accepted)"])
        let ledger: AcceptanceLedgerFollower
        do {
            ledger = try await AcceptanceLedgerFollower.load(
                topic: setup.topics.accepted, keep: configuration.acceptance.maxAge + configuration.acceptance.maxSkew,
                settings: setup.kafka, group: configuration.consumerGroup, sessionTimeout: configuration.sessionTimeout,
                logger: logger)
        } catch let unavailable as LedgerUnavailable {
            logger.critical("The relay cannot start: its acceptance ledger cannot be read", metadata: [LogKey.error: "\(unavailable)"])
            status.starting("\(unavailable)")
            throw unavailable
        }
        status.starting("the relay is connecting to Kafka")
        let clients = try await RelayClients.connect(setup: setup, logger: logger)
        status.running(with: clients)
        var limits = configuration.envelopeLimits
        limits.maxDocumentBytes = setup.hub.maxDocumentBytes
        let handler = RecordHandler(
            hubID: setup.hub.id, instance: configuration.instance, topics: setup.topics, tiers: configuration.retryTiers,
            maxAge: configuration.maxAge, limits: limits,
            directory: setup.directory, trustSource: setup.trust, signatures: FastCMSVerifier(),
            writer: DurableWriter(producer: clients.producer, logger: logger),
            acks: try AckFactory(hubID: setup.hub.id, identity: setup.identity, topics: setup.topics),
            acceptanceRules: configuration.acceptance,
            acceptances: try AcceptanceSigner(hubID: setup.hub.id, identity: setup.identity),
            neighbours: clients.neighbours, ledger: ledger.ledger, maxHops: configuration.maxHops, metrics: metrics,
            logger: logger)
        logger.notice(
            "Relay started",
            metadata: [
                "docrelay.kafka.bootstrap": "\(setup.kafka.bootstrapServers.joined(separator: ","))",
                "docrelay.workers": "\(configuration.workers)",
            ])
        let memory = RelayMemoryBudget(total: configuration.memoryBudget, largestRecord: configuration.maxRecordBytes)
        let members = clients.main.consumers
        do {
            try await withThrowingDiscardingTaskGroup { group in
                // Each member its own workers (a share of `consumer.workers`), its own share of
                // the processing budget and its own segment order (a document's segments are in
                // one partition, so one member). A shared budget let one member's idle workers
                // hold all of it while waiting for records that did not come, and the others
                // took none: nothing was processed.
                for (index, consumer) in members.enumerated() {
                    let order = SegmentOrder()
                    let processing = ByteBudget(
                        capacity: max(memory.processing / members.count, configuration.maxRecordBytes))
                    let share = configuration.workers / members.count + (index < configuration.workers % members.count ? 1 : 0)
                    for _ in 0..<max(share, 1) {
                        group.addTask { try await work(consumer, handler: handler, budget: processing, order: order) }
                    }
                    group.addTask { try await expireSegments(consumer, handler: handler) }
                }
                if clients.main.shards.isSplit {
                    group.addTask { try await followNewAgencies(clients.main) }
                }
                group.addTask { try await retries(clients.retry, handler: handler) }
                group.addTask { try await ledger.follow() }
                group.addTask { try await watchForFatalErrors(clients) }
                group.addTask { try await probeKafka(clients.producer) }
                group.addTask { try await measureLag(split: clients.main.shards.isSplit) }
                group.addTask {
                    try await InboxRetentionWatch(setup: setup, metrics: metrics, status: status, logger: logger).run()
                }
            }
        } catch is CancellationError {
            logger.info("Relay cancelled")
        } catch let halt as RelayHalt {
            // Nothing more can be made durable: leave at once (records not committed are
            // processed again by whoever consumes next), and say why with a non-zero exit.
            startHalt(halt)
            await clients.close(draining: false)
            throw halt
        }
        status.set(.stopping)
        await clients.close()
        status.set(.stopped)
        logger.notice("Relay stopped")
    }

    /// How long the relay may take to stop once it halts (`RelayHalt`) before the process exits
    /// anyway (exit 1). Nothing is lost by it: what is not committed is processed again.
    static let haltGrace: Duration = .seconds(5)

    /// Every 200 ms: has a producer failed fatally? (A worker meets it first while records
    /// flow; this finds it on an idle relay too.)
    private func watchForFatalErrors(_ clients: RelayClients) async throws {
        let producers = [clients.producer] + (clients.neighbours?.ownedProducers ?? [])
        while !Task.isCancelled {
            for producer in producers {
                guard let fatal = producer.fatalError else { continue }
                try halting { throw RelayHalt.producerFatal(fatal, cluster: producer.bootstrapServers) }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
            } catch is CancellationError {
                return
            }
        }
    }

    /// Runs `body`; if it halts the relay (`RelayHalt`), `/healthz` says why at once and a
    /// watchdog ends the process after `haltGrace` if stopping takes longer (work in flight
    /// waits on a producer that will never answer, and blocking admin requests do not end on
    /// cancellation; what is not committed is processed again after the restart).
    private func halting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let halt as RelayHalt {
            startHalt(halt)
            throw halt
        }
    }

    private func halting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let halt as RelayHalt {
            startHalt(halt)
            throw halt
        }
    }

    private func startHalt(_ halt: RelayHalt) {
        guard status.fail(halt.healthReason) else { return }  // once
        logger.critical("The relay halts; the process ends within \(Self.haltGrace)", metadata: [LogKey.error: "\(halt)"])
        DaemonWatch.exitAfter(
            Self.haltGrace, logger: logger, "The relay did not stop within its grace after halting; exiting", reason: "\(halt)")
    }

    /// Every few seconds: does a broker answer? For `/healthz` (`Liveness`).
    private func probeKafka(_ producer: KafkaProducer) async throws {
        await DaemonWatch.probe(producer, brokerUnreachableAfter: setup.configuration.health.brokerUnreachableAfter) { status.probed(error: $0) }
    }

    /// Every 15 s: how far the relay's groups are behind, per topic (agencies' `out` topics are
    /// summed under one series by `RelayMetrics`).
    ///
    /// Batched, whatever the number of agencies (issue 16): one metadata request, then for each
    /// group (main and retry) the earliest and latest offsets of all its partitions in one
    /// ListOffsets request per broker each (`KafkaAdmin.lag(group:topics:)`) and its commits in
    /// one OffsetFetch per 2,000 partitions (`KafkaGroupOffsets`, not the Admin API, on which
    /// librdkafka may abort, each group handle looking its coordinator up once): 7 requests a
    /// cycle up to 2,000 agencies, 11 at 10,000. It was 3
    /// sequential round trips per topic (30,000 a cycle at 10,000 agencies, which also held
    /// SIGTERM up for ~15 s). Measured: 2,001 topics in 110 ms (BatchedAdminTests, alone; 60 ms
    /// on the Admin API, before the group handle); the first cycle of a 10,000-agency relay on
    /// the embedded broker 2.6 s (release, BENCHMARKS.md, on the Admin API, while its 10,000
    /// partitions were starting) and 3-16 s in the debug ScaleTests in the whole suite on two
    /// cores (the log line "Lag measured").
    ///
    /// Not the consumer's cached watermarks (`rd_kafka_get_watermark_offsets`, no request at
    /// all): librdkafka updates them only from fetch responses, and the consumer stops fetching a
    /// partition it pauses for backpressure, which is when lag matters: the lag would look flat
    /// while it grows and `/healthz` would miss it. They also cover only this instance's
    /// partitions, without the commits of the group. A few requests every 15 s cost nothing.
    ///
    /// Each wait ends as soon as the task is cancelled (`runBlockingCancellable`), so a graceful
    /// shutdown never waits for a measurement.
    private func measureLag(split: Bool) async throws {
        do {
            try await cancelWhenGracefulShutdown { try await measureLagUntilCancelled(split: split) }
        } catch is CancellationError {
            return
        }
    }

    /// Every 10 s, with a split subscription: the `out` topics created since (new agencies)
    /// are added to the members they hash to (`MainSubscription.add`), so no restart is
    /// needed, as with one member's pattern.
    private func followNewAgencies(_ main: MainSubscription) async throws {
        let admin = try KafkaAdmin(settings: setup.kafka, logger: logger)
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
                let existing = try await cancelWhenGracefulShutdown { try await admin.listTopics().map(\.name) }
                try main.add(existing: existing)
            } catch is CancellationError {
                return
            } catch let error as KafkaError {
                logger.warning("New agency out topics not looked for this time", metadata: [LogKey.error: "\(error)"])
            }
        }
    }

    /// From here on a relay subscribed by one member (pattern) warns once (log) that librdkafka's
    /// limit (`SubscriptionShards.subscriptionLimit`, where its assignor crashes the process) is
    /// near: a restart then splits the subscription (`SubscriptionShards.automatic`).
    static let subscriptionWarnAt = 9_000

    private func measureLagUntilCancelled(split: Bool) async throws {
        let admin = try KafkaAdmin(settings: setup.kafka, logger: logger)
        let group = setup.configuration.consumerGroup
        let retryTopics = Set(setup.configuration.retryTiers.map(setup.topics.retry))
        var first = true
        var warnedSubscription = false
        var warnedSessionTimeout = false
        while !Task.isCancelled {
            do {
                let start = ContinuousClock.now
                let topics = try await admin.listTopics()
                let out = topics.filter { setup.topics.agencyCode(ofOutTopic: $0.name) != nil }
                let retry = topics.filter { retryTopics.contains($0.name) }
                if !split, out.count > Self.subscriptionWarnAt, !warnedSubscription {
                    warnedSubscription = true
                    let limit = SubscriptionShards.subscriptionLimit
                    logger.warning(
                        "The hub has \(out.count) agency out topics, read by one consumer group member: librdkafka refuses a member subscribed to more than \(limit) topics, and the relay stops (crashes) when the \(limit + 1)th appears. Restart it before then: past \(limit) topics it splits the subscription (consumer.subscription-shards)",
                        metadata: [LogKey.topic: "\(setup.topics.outPattern)"])
                }
                let groupPartitions = out.reduce(0) { $0 + $1.partitionCount }
                let sessionTimeout = setup.configuration.sessionTimeout
                if !warnedSessionTimeout, let advised = AssignmentTime.shortfall(partitions: groupPartitions, sessionTimeout: sessionTimeout) {
                    warnedSessionTimeout = true
                    logger.warning(
                        "consumer.session-timeout is short for \(groupPartitions) partitions: librdkafka's group leader computes their assignment on the thread that sends its heartbeats, and one that takes longer than the session timeout is dropped from the group and starts again, for ever (no partitions, nothing relayed). Set consumer.session-timeout to \(Int((advised / .seconds(1)).rounded(.up)))s or more",
                        metadata: ["docrelay.config": "\(setup.configuration.path)", "docrelay.consumer.session-timeout": "\(sessionTimeout)"])
                }
                let outLag = try await admin.lag(group: group, topics: out)
                let retryLag = try await admin.lag(group: group + "-retry", topics: retry)
                metrics.setLags(outLag, group: group)
                metrics.setLags(retryLag, group: group + "-retry")
                let outTotal: Int64 = outLag.values.reduce(0, +)
                let retryTotal: Int64 = retryLag.values.reduce(0, +)
                let total = outTotal + retryTotal
                status.measuredLag(total, keep: setup.configuration.health.lagGrowingFor)
                let elapsed: Duration = ContinuousClock.now - start
                var metadata: Logger.Metadata = [:]
                metadata["docrelay.lag.topics"] = "\(out.count + retry.count)"
                metadata["docrelay.lag.total"] = "\(total)"
                metadata["docrelay.lag.milliseconds"] = "\(Int(elapsed / .milliseconds(1)))"
                if first { logger.info("Lag measured", metadata: metadata) } else { logger.debug("Lag measured", metadata: metadata) }
                first = false
            } catch let error as KafkaError {
                logger.notice("Lag not measured this time", metadata: [LogKey.error: "\(error)"])
            }
            try await Task.sleep(for: .seconds(15))
        }
    }

    /// One worker: takes records as they come and handles each to its durable outcome.
    ///
    /// Before taking a record it reserves the largest record's size from `budget`, and keeps only
    /// what the record needs while handling it (`ByteBudget`), so workers × the largest record
    /// is never held at once.
    ///
    /// A large document's segment waits for its turn (`SegmentOrder`: after the segments of its
    /// document taken before it) and is handled by `RecordHandler.handleSegment`, which holds
    /// its offset until the document's outcome is durable.
    private func work(_ consumer: KafkaConsumer, handler: RecordHandler, budget: ByteBudget, order: SegmentOrder) async throws {
        let reserve = setup.configuration.maxRecordBytes
        var records = consumer.records.cancelOnGracefulShutdown().makeAsyncIterator()
        while true {
            await budget.acquire(reserve)
            let next: KafkaRecord?
            do {
                next = try await records.next()
            } catch {
                budget.release(reserve)  // others may be waiting for it
                throw error
            }
            guard let record = next else {
                budget.release(reserve)
                return
            }
            order.arrive(record)
            status.took()
            let held = min(record.byteCount, reserve)
            budget.release(reserve - held)
            defer { budget.release(held) }
            if let key = SegmentKey(record) {
                try await order.turn(of: record, key: key)
                defer { order.finish(record, key: key) }
                let settled = try await halting { try await handler.handleSegment(record, key: key) }
                for done in settled { consumer.markProcessed(done) }
            } else {
                try await halting { try await handler.handle(record) }
                consumer.markProcessed(record)
            }
            status.progressed()
        }
    }

    /// Every second: gives up the large documents whose next segment did not come within
    /// `limits.segment-timeout` (dead-lettered `incomplete`), then lets their offsets be committed.
    private func expireSegments(_ consumer: KafkaConsumer, handler: RecordHandler) async throws {
        let timeout = setup.configuration.segmentTimeout
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch is CancellationError {
                return
            }
            let assignment = consumer.assignment
            let released = try await halting {
                try await handler.expireSegments(now: Date(), timeout: timeout) { topic, partition in
                    assignment.contains(KafkaTopicPartition(topic: topic, partition: partition))
                }
            }
            for record in released { consumer.markProcessed(record) }
        }
    }

    /// The retry topics, `consumer.retry-workers` partitions at once, in order within each: a
    /// record not yet due pauses its partition until its `dr-not-before` (others go on); a due
    /// one is handled like any other (`RetryLaneRunner`).
    private func retries(_ consumer: KafkaConsumer, handler: RecordHandler) async throws {
        let lanes = RetryLaneRunner(consumer: consumer)
        try await lanes.run(workers: setup.configuration.retryWorkers) { record, now in
            status.took()
            try await halting { try await handler.handle(record, now: now) }
            status.progressed()
        }
    }
}

/// The relay's Kafka clients: one producer, the main consumer (agencies' `out` topics and this
/// hub's topic) and the retry consumer (its own group, so retries never wait behind documents).
struct RelayClients: Sendable {
    let producer: KafkaProducer
    /// The main consumer's members: agencies' `out` topics, split over `SubscriptionShards`.
    let main: MainSubscription
    let retry: KafkaConsumer
    /// Producers to the neighbour hubs (nil with a single hub).
    let neighbours: NeighbourLinks?

    /// The relay's producer settings for a cluster: one attempt lasts `attempt-timeout`.
    static func producerSettings(_ kafka: KafkaSettings, configuration: RelayConfiguration) -> KafkaProducerSettings {
        var settings = KafkaProducerSettings(connection: kafka)
        settings.deliveryTimeout = configuration.attemptTimeout
        settings.maxRecordBytes = configuration.maxRecordBytes
        // A recipient's inbox that does not exist fails within one attempt, then goes through the tiers.
        settings.connection.properties["topic.metadata.propagation.max.ms"] =
            settings.connection.properties["topic.metadata.propagation.max.ms"]
            ?? String(min(configuration.attemptTimeout.components.seconds * 1000, 30_000))
        return settings
    }

    static func connect(setup: RelaySetup, logger: Logger) async throws -> RelayClients {
        let configuration = setup.configuration
        let producer = try await KafkaProducer.connect(settings: producerSettings(setup.kafka, configuration: configuration), logger: logger)
        var neighbours: NeighbourLinks?
        if setup.directory.current.hubs.count > 1 {
            neighbours = try NeighbourLinks.make(
                hub: setup.hub, directory: setup.directory.current, ownConnection: setup.connection, ownProducer: producer,
                settings: { hub in
                    guard let kafka = setup.neighbourKafka[hub.id] else { throw ConfigurationError(path: configuration.path, expected: "a connection for hub \(hub.id)") }
                    return producerSettings(kafka, configuration: configuration)
                },
                holdDown: configuration.neighbourHoldDown, logger: logger)
        }

        let memory = RelayMemoryBudget(total: configuration.memoryBudget, largestRecord: configuration.maxRecordBytes)
        var mainSettings = KafkaConsumerSettings(connection: setup.kafka, groupID: configuration.consumerGroup)
        mainSettings.sessionTimeout = configuration.sessionTimeout
        mainSettings.maxPrefetchBytes = memory.mainPrefetch
        mainSettings.maxBufferedBytes = memory.mainBuffer
        let extra = setup.directory.current.hubs.count > 1 ? [setup.topics.hub(setup.hub.id)] : []
        // The topics on the cluster are listed (20,000 and more at that size, a heavy request
        // while the relay starts) only when a split is configured or the directory's agencies
        // of this hub pass librdkafka's limit; else one member subscribes by pattern, as before.
        let hubAgencies = setup.directory.current.agencies.count { $0.hubID == setup.hub.id }
        var existing: [String] = []
        if configuration.subscriptionShards != nil || hubAgencies + extra.count > SubscriptionShards.subscriptionLimit {
            existing = try await KafkaAdmin(settings: setup.kafka, logger: logger).listTopics().map(\.name)
        }
        let shards = configuration.subscriptionShards.map(SubscriptionShards.init(count:))
            ?? SubscriptionShards.automatic(
                outTopics: max(hubAgencies, existing.count { setup.topics.agencyCode(ofOutTopic: $0) != nil }), extra: extra.count)
        // The prefetch and buffer budgets are the main consumer's, shared by its members.
        mainSettings.maxPrefetchBytes = max(memory.mainPrefetch / shards.count, 1_048_576)
        mainSettings.maxBufferedBytes = max(memory.mainBuffer / shards.count, 1_048_576)
        mainSettings.maxBufferedRecords = max(mainSettings.maxBufferedRecords / shards.count, 100)
        let consumers = try (0..<shards.count).map { _ in try KafkaConsumer(settings: mainSettings, logger: logger) }
        let main = MainSubscription(shards: shards, consumers: consumers, topics: setup.topics, extra: extra, logger: logger)
        try main.subscribe(existing: existing, configPath: configuration.path)

        var retrySettings = KafkaConsumerSettings(connection: setup.kafka, groupID: configuration.consumerGroup + "-retry")
        retrySettings.sessionTimeout = configuration.sessionTimeout
        retrySettings.maxBufferedRecords = 100
        retrySettings.maxPrefetchBytes = memory.retryPrefetch
        retrySettings.maxBufferedBytes = memory.retryBuffer
        let retry = try KafkaConsumer(settings: retrySettings, logger: logger)
        try retry.subscribe(topics: configuration.retryTiers.map(setup.topics.retry))
        return RelayClients(producer: producer, main: main, retry: retry, neighbours: neighbours)
    }

    /// Stops taking records, waits for those in processing (unless not `draining`: after a
    /// halt nothing in processing will finish), commits what is processed, then flushes the
    /// producer (not after a halt: a producer that failed fatally acknowledges nothing more).
    func close(draining: Bool = true) async {
        await withTaskGroup(of: Void.self) { group in
            for consumer in main.consumers + [retry] {
                group.addTask { await consumer.close(draining: draining) }
            }
        }
        await neighbours?.close()
        await producer.close(timeout: draining ? .seconds(30) : .zero)
    }
}
