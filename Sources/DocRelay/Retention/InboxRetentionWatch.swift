import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import ServiceLifecycle

/// Every `retention.check-interval`, checks each inbox of the hub against its retention: the
/// effects only (Kafka reads, metrics, `/healthz` state, logs); the decisions are
/// `UnreadRecords`, `InboxRetentionState`, `RetentionSummary` and `RetentionTransitions`.
///
/// For each `in.<code>` of an agency homed here that exists: the log bounds of its partitions,
/// the offsets the agent's group (`docrelay-agent-<code>`) committed, the timestamp of the
/// first unread record of each partition (cached by offset: read again only once the agent
/// moved), and the topic's `retention.ms` as the cluster reports it (else `retention.inbox`).
struct InboxRetentionWatch: Sendable {
    let setup: RelaySetup
    let metrics: RelayMetrics
    let status: RelayStatus
    let logger: Logger

    /// Inboxes read at once.
    private static let concurrency = 8
    /// Topics per DescribeConfigs request.
    private static let describeBatch = 200

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await runUntilCancelled() }
        } catch is CancellationError {
            return
        }
    }

    private func runUntilCancelled() async throws {
        let settings = setup.configuration.retention
        let admin = try KafkaAdmin(settings: setup.kafka, logger: logger)
        let reader = try KafkaTopicReader(settings: setup.kafka, logger: logger, stallTimeout: .seconds(10))
        var memory = Memory()
        while !Task.isCancelled {
            do {
                let summary = try await check(admin: admin, reader: reader, settings: settings, memory: &memory)
                metrics.publishRetention(summary)
                status.set(summary)
            } catch let error as KafkaError {
                logger.notice("Inbox retention not checked this time", metadata: [LogKey.error: "\(error)"])
            }
            do {
                try await Task.sleep(for: settings.checkInterval)
            } catch {
                break
            }
        }
        await reader.close()
    }

    /// What one check carries to the next.
    private struct Memory {
        var verdicts: [String: InboxRetentionState.Verdict] = [:]
        /// The first unread offset of a partition and its record's timestamp.
        var timestamps: [KafkaTopicPartition: (offset: Int64, milliseconds: Int64)] = [:]
        var toldRetentionUnreadable = false
        /// Inbox partitions read to their end at the last check (their agents' commits unasked
        /// while their end stays).
        var fullyRead = FullyReadInboxes()
        /// After the cluster could not say a topic's retention, when to ask again (until then
        /// `retention.inbox` applies without a request that would wait out its timeout).
        var describeAgainAt: ContinuousClock.Instant?
    }

    /// How long the configured retention stands in after the cluster could not say.
    private static let describeHoldDown = Duration.seconds(3600)

    /// One inbox as read from Kafka.
    private struct Reading: Sendable {
        var agency: String
        var topic: String
        var unread: [KafkaTopicPartition: UnreadRecords]
        /// The partitions' bounds the reading was made from.
        var bounds: [KafkaPartitionOffsets]
    }

    private func check(
        admin: KafkaAdmin, reader: KafkaTopicReader, settings: RetentionSettings, memory: inout Memory
    ) async throws -> RetentionSummary {
        let directory = setup.directory.current
        let existing = Dictionary(try await admin.listTopics().map { ($0.name, $0) }) { first, _ in first }
        let inboxes = directory.agencies.filter { $0.hubID == setup.hub.id }.map(\.code.rawValue)
            .compactMap { code in existing[setup.topics.inbox(code)].map { (code, $0) } }

        let retentions = await topicRetentions(inboxes.map(\.1.name), admin: admin, memory: &memory)
        let (readings, failures) = await read(inboxes, fullyRead: memory.fullyRead, admin: admin)
        memory.fullyRead.keep(only: Set(inboxes.map(\.1.name)))
        for reading in readings { memory.fullyRead.record(reading.topic, bounds: reading.bounds, unread: reading.unread) }

        // The first unread record's timestamp, read only where the agent moved since the last check.
        var wanted: [KafkaTopicPartition: Int64] = [:]
        var stillUnread: Set<KafkaTopicPartition> = []
        for reading in readings {
            for (partition, unread) in reading.unread {
                guard let first = unread.firstOffset else { continue }
                stillUnread.insert(partition)
                if memory.timestamps[partition]?.offset != first { wanted[partition] = first }
            }
        }
        memory.timestamps = memory.timestamps.filter { stillUnread.contains($0.key) }
        if !wanted.isEmpty {
            do {
                for (partition, milliseconds) in try await reader.firstTimestamps(at: wanted) {
                    if let offset = wanted[partition] { memory.timestamps[partition] = (offset, milliseconds) }
                }
            } catch let error as KafkaError {
                logger.notice("Unread inbox records not read", metadata: [LogKey.error: "\(error)"])
            }
        }

        let now = Date()
        let states = readings.map { reading in
            let timestamps = reading.unread.compactMap { partition, unread in
                unread.firstOffset.flatMap { first in memory.timestamps[partition].flatMap { $0.offset == first ? $0.milliseconds : nil } }
            }
            return InboxRetentionState(
                agency: reading.agency, topic: reading.topic, unread: Array(reading.unread.values), timestamps: timestamps,
                retention: retentions[reading.topic] ?? settings.policy.inbox, warnAt: settings.warnAt, now: now)
        }
        log(RetentionTransitions(previous: memory.verdicts, current: states))
        memory.verdicts = RetentionTransitions.verdicts(previous: memory.verdicts, current: states)
        if let failure = failures.first {
            logger.notice(
                "Some inboxes not checked against their retention",
                metadata: [LogKey.inboxesFailed: "\(failures.count)", LogKey.topic: "\(failure.topic)", LogKey.error: "\(failure.error)"])
        }
        return RetentionSummary(states: states, failed: failures.count, checkedAt: now)
    }

    /// The log bounds and committed offsets of each inbox, `concurrency` at a time; the
    /// inboxes that could not be read, with why.
    private func read(
        _ inboxes: [(String, KafkaTopicMetadata)], fullyRead: FullyReadInboxes, admin: KafkaAdmin
    ) async -> ([Reading], [(topic: String, error: String)]) {
        // Every inbox's log bounds in a few requests (issue 16: one round trip per inbox was
        // 10,000 a check); an inbox never written to needs no look at its agent's commits.
        // Should the batch fail, each inbox asks for its own.
        let bounds = try? await admin.watermarks(of: inboxes.map(\.1))
        return await withTaskGroup(of: Result<Reading, InboxFailure>.self) { group in
            var readings: [Reading] = []
            var failures: [(topic: String, error: String)] = []
            func collect(_ result: Result<Reading, InboxFailure>) {
                switch result {
                case .success(let reading): readings.append(reading)
                case .failure(let failure): failures.append((failure.topic, failure.error))
                }
            }
            var running = 0
            for (code, metadata) in inboxes {
                if running == Self.concurrency, let result = await group.next() {
                    collect(result)
                    running -= 1
                }
                let known = bounds.flatMap { Self.offsets(of: metadata, in: $0) }
                if let known, known.allSatisfy({ $0.high == 0 }) || fullyRead.unchanged(metadata.name, known) {
                    // Never written to, or read to an end that has not moved: nothing unread.
                    let unread = Dictionary(uniqueKeysWithValues: known.map {
                        (KafkaTopicPartition(topic: metadata.name, partition: $0.partition), UnreadRecords(firstOffset: nil, count: 0, deletedUnread: 0))
                    })
                    collect(.success(Reading(agency: code, topic: metadata.name, unread: unread, bounds: known)))
                    continue
                }
                group.addTask { await readInbox(code, metadata, known: known, admin: admin) }
                running += 1
            }
            for await result in group { collect(result) }
            return (readings.sorted { $0.agency < $1.agency }, failures)
        }
    }

    /// The bounds of every partition of `topic` in `bounds`, or nil if one is missing.
    private static func offsets(of topic: KafkaTopicMetadata, in bounds: [KafkaTopicPartition: KafkaPartitionOffsets]) -> [KafkaPartitionOffsets]? {
        var offsets: [KafkaPartitionOffsets] = []
        for partition in 0..<Int32(topic.partitionCount) {
            guard let entry = bounds[KafkaTopicPartition(topic: topic.name, partition: partition)] else { return nil }
            offsets.append(entry)
        }
        return offsets
    }

    private struct InboxFailure: Error {
        var topic: String
        var error: String
    }

    private func readInbox(
        _ code: String, _ metadata: KafkaTopicMetadata, known: [KafkaPartitionOffsets]?, admin: KafkaAdmin
    ) async -> Result<Reading, InboxFailure> {
        do {
            let offsets: [KafkaPartitionOffsets]
            if let known { offsets = known } else { offsets = try await admin.partitionOffsets(of: metadata) }
            let partitions = offsets.map { KafkaTopicPartition(topic: metadata.name, partition: $0.partition) }
            let committed = try await admin.committedOffsets(group: ConsumerGroupNames.agent(code), partitions: partitions)
            var unread: [KafkaTopicPartition: UnreadRecords] = [:]
            for (partition, bounds) in zip(partitions, offsets) {
                unread[partition] = UnreadRecords.of(low: bounds.low, high: bounds.high, committed: committed[partition])
            }
            return .success(Reading(agency: code, topic: metadata.name, unread: unread, bounds: offsets))
        } catch {
            return .failure(InboxFailure(topic: metadata.name, error: "\(error)"))
        }
    }

    /// Each topic's `retention.ms` as the cluster reports it; where it cannot say (librdkafka's
    /// embedded cluster has no DescribeConfigs), nothing, and the configured retention applies.
    private func topicRetentions(_ topics: [String], admin: KafkaAdmin, memory: inout Memory) async -> [String: Retention] {
        var retentions: [String: Retention] = [:]
        if let again = memory.describeAgainAt, ContinuousClock.now < again { return retentions }
        var start = topics.startIndex
        while start < topics.endIndex {
            let end = min(start + Self.describeBatch, topics.endIndex)
            do {
                for (topic, entries) in try await admin.describeTopicConfigs(Array(topics[start..<end])) {
                    if let value = entries.first(where: { $0.name == TopicPlan.retentionConfig })?.value,
                       let retention = Retention(retentionMilliseconds: value) {
                        retentions[topic] = retention
                    }
                }
            } catch let error as KafkaError {
                memory.describeAgainAt = ContinuousClock.now.advanced(by: Self.describeHoldDown)
                if !memory.toldRetentionUnreadable {
                    memory.toldRetentionUnreadable = true
                    logger.notice(
                        "Inbox retention not readable from the cluster; using retention.inbox",
                        metadata: [LogKey.error: "\(error)", LogKey.retention: "\(setup.configuration.retention.policy.inbox)"])
                }
                return retentions
            } catch {
                memory.describeAgainAt = ContinuousClock.now.advanced(by: Self.describeHoldDown)
                return retentions
            }
            start = end
        }
        return retentions
    }

    private func log(_ transitions: RetentionTransitions) {
        for state in transitions.worse {
            var metadata: Logger.Metadata = [
                LogKey.agency: "\(state.agency)", LogKey.topic: "\(state.topic)",
                LogKey.retention: "\(state.retention)", LogKey.inboxUnread: "\(state.unread)",
            ]
            if let age = state.oldestUnreadAge { metadata[LogKey.inboxOldestUnreadAge] = "\(RetentionSummary.age(age))" }
            if state.verdict == .deletedUnread {
                metadata[LogKey.inboxDeletedUnread] = "\(state.deletedUnread)"
                logger.warning("Inbox records deleted by retention before the agency read them", metadata: metadata)
            } else {
                logger.warning("Inbox unread records near their retention", metadata: metadata)
            }
        }
        for state in transitions.recovered {
            logger.notice("Inbox no longer near its retention", metadata: [LogKey.agency: "\(state.agency)", LogKey.topic: "\(state.topic)"])
        }
    }
}
