import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging

/// Carries out what `RelayPolicy` decides for one record of the hub: verifies it, attempts its
/// deliveries and forwards, writes the settlement (events, retries, dead letters), signs and
/// sends the acks, and counts and logs each decision. `handle` returns once every outcome is
/// durable, so that the caller may then mark the record processed (and its offset committable).
///
/// The directory is read once per record: verification, routing and the acks' ways all use
/// that snapshot, so a reload never changes it under a record in flight.
struct RecordHandler: Sendable {
    let policy: RelayPolicy
    let directory: DirectoryStore
    let trustSource: TrustSource
    let signatures: FastCMSVerifier
    let writer: DurableWriter
    let acks: AckFactory
    /// How a record's time is judged here when no hub attested it (`acceptance:` of hub.yaml).
    let acceptanceRules: AcceptanceRules
    /// Signs this hub's acceptance of the records it judges first.
    let acceptances: AcceptanceSigner
    /// The neighbour hubs records are forwarded to (none with a single hub).
    let neighbours: NeighbourLinks?
    /// The acceptance ledger in memory (loaded before the first record is taken); nil: no
    /// record is checked against it (tests of other rules).
    let ledger: AcceptanceLedger?
    let metrics: RelayMetrics
    let logger: Logger
    /// Large documents passing through this relay instance (`handleSegment`).
    let segments = SegmentTable()
    /// Large documents' recipients diverted again in the retry tiers.
    let retryDiversions = RetryDiversions()

    /// `maxHops`: a record that has passed this many hubs is dead-lettered (a loop the path
    /// check missed); the other rules' settings as `RelayPolicy` names them.
    init(
        hubID: String, instance: String, topics: TopicNames, tiers: [RetryTier], maxAge: Duration,
        limits: EnvelopeLimits, directory: DirectoryStore, trustSource: TrustSource, signatures: FastCMSVerifier,
        writer: DurableWriter, acks: AckFactory, acceptanceRules: AcceptanceRules = AcceptanceRules(),
        acceptances: AcceptanceSigner, neighbours: NeighbourLinks?, ledger: AcceptanceLedger? = nil, maxHops: Int,
        metrics: RelayMetrics, logger: Logger
    ) {
        self.policy = RelayPolicy(
            hubID: hubID, instance: instance, topics: topics, tiers: tiers, maxAge: maxAge, limits: limits, maxHops: maxHops)
        self.directory = directory
        self.trustSource = trustSource
        self.signatures = signatures
        self.writer = writer
        self.acks = acks
        self.acceptanceRules = acceptanceRules
        self.acceptances = acceptances
        self.neighbours = neighbours
        self.ledger = ledger
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles `record`, processed at `now`; throws `CancellationError` (the relay is stopping:
    /// the record stays uncommitted and is handled again after restart) or `RelayHalt` (no
    /// outcome of it can be written: the relay must stop, see `settle`).
    func handle(_ record: KafkaRecord, now: Date = Date()) async throws {
        let started = ContinuousClock.now
        defer { metrics.processing(ContinuousClock.now - started) }
        let directory = self.directory.current
        let trust = trustSource.current
        let verifier = DocumentVerifier(
            directory: directory, trust: trust, signatures: signatures, limits: policy.limits, rules: acceptanceRules)
        // A segment read here is a retry's (the main consumer's go through `handleSegment`):
        // the hub checked its document whole before any reached a retry tier.
        let segmented = record.headers.contains { $0.name == HeaderName.segment }
        let verdict = verifier.verify(
            headers: record.headers.map { (name: $0.name, value: $0.value) }, value: record.value, now: now,
            segments: segmented)
        let record = accepting(record, verdict: verdict, now: now)
        // Claimed now, so that another worker taking the same identity meanwhile sees it; the
        // entry is written with the settlement (a crash before leaves the record uncommitted,
        // and the ledger reloaded without it).
        var check = LedgerCheck.unchecked
        if let ledger, let entry = policy.ledgerEntry(for: record, verdict: verdict, now: now) {
            check = ledger.claim(entry, now: now).map(LedgerCheck.seen) ?? .first(entry)
        }
        switch policy.admit(record, verdict: verdict, directory: directory, ledger: check, now: now) {
        case .refuse(let settlement), .skip(let settlement):
            try await carryOut(settlement, directory: directory, now: now)
        case .deliver(let delivery):
            if segmented, case .success(let document) = verdict, let segment = document.envelope.relay.segment {
                try await retrySegment(delivery, segment: segment, directory: directory, now: now)
                return
            }
            let outcomes = try await attempt(delivery)
            try await carryOut(policy.settle(delivery, outcomes: outcomes, now: now), directory: directory, now: now)
        }
    }

    /// A large document's segment (or abort marker) from a retry tier: attempted for its
    /// pending recipients, except those whose earlier segment at this attempt failed again
    /// (they follow it to the next tier, in order); only the last segment reports (events, acks).
    private func retrySegment(_ delivery: RelayDelivery, segment: DocumentSegment, directory: Directory, now: Date) async throws {
        let key = RetryDiversions.Key(from: delivery.signed.from, id: delivery.signed.id, attempt: delivery.attempt)
        let (attempted, notAttempted) = delivery.without(retryDiversions.recipients(key))
        let outcomes = try await attempt(attempted)
        retryDiversions.add(RelayPolicy.failedRecipients(attempted, outcomes: outcomes), for: key)
        let settlement = policy.settle(
            attempted, outcomes: outcomes, now: now, part: !segment.isLast, notAttempted: notAttempted)
        try await carryOut(settlement, directory: directory, now: now)
        if segment.isLast || segment.isAbort { retryDiversions.forget(from: delivery.signed.from, id: delivery.signed.id) }
    }

    /// `record` with this hub's signed acceptance when the verdict judged its time here first
    /// (every copy written from it, retries and dead letters included, then carries it); as it
    /// is otherwise, or when the acceptance cannot be signed (logged: a later hop judges the
    /// record's time again, nothing is lost).
    func accepting(_ record: KafkaRecord, verdict: Result<VerifiedDocument, Rejection>, now: Date) -> KafkaRecord {
        guard case .success(let document) = verdict else { return record }
        if let ignored = document.ignoredAcceptance {
            logger.warning(
                "A record's hub acceptance was ignored: its time was judged here",
                metadata: [LogKey.documentID: "\(document.envelope.signed.id)", LogKey.error: "\(ignored)"])
        }
        guard case .firstHere = document.acceptance else { return record }
        do {
            return RelayPolicy.accepted(record, by: try acceptances.accept(document.envelope.signed, at: now))
        } catch {
            logger.error(
                "Cannot sign this hub's acceptance of a record",
                metadata: [LogKey.documentID: "\(document.envelope.signed.id)", LogKey.error: "\(error)"])
            return record
        }
    }

    /// Where each recipient goes from `hubID` (`RelayPolicy.route`).
    static func route(_ recipients: [String], from hubID: String, in directory: Directory) -> RelayRoute {
        RelayPolicy.route(recipients, from: hubID, in: directory)
    }

    /// The deliveries and forwards at once, in one task group (no task more for a record with no
    /// forward); each write's outcome, forwards in the order they completed.
    func attempt(_ delivery: RelayDelivery) async throws -> DeliveryOutcomes {
        let neighbours = self.neighbours
        return try await withThrowingTaskGroup(of: WriteOutcome.self) { group in
            for inbox in delivery.inboxes {
                group.addTask { .delivered(inbox.recipient, try await writer.attempt(inbox.record)) }
            }
            for forward in delivery.forwards {
                group.addTask {
                    .forwarded(ForwardOutcome(
                        hub: forward.hub, recipients: forward.recipients,
                        result: try await Self.forward(forward.record, to: forward.hub, over: neighbours)))
                }
            }
            var outcomes = DeliveryOutcomes()
            for try await outcome in group {
                switch outcome {
                case .delivered(let code, let result): outcomes.inboxes[code] = result
                case .forwarded(let forward): outcomes.forwards.append(forward)
                }
            }
            return outcomes
        }
    }

    /// Reports the settlement's decisions (signing each one's negative acks first), writes its
    /// records while the positive acks go (what they report is durable already), then sends
    /// the negative acks once the dead letters they report are durable.
    func carryOut(_ settlement: RelaySettlement, directory: Directory, now: Date) async throws {
        let positive = sign(settlement.acks, now: now)
        var negative: [OutgoingAck] = []
        for decision in settlement.decisions {
            negative += sign(decision.negativeAcks, now: now)
            report(decision)
        }
        async let written: Void = settle(settlement.writes, directory: directory, now: now)
        let ackWrites = try await send(positive, directory: directory, now: now)
        try await written
        try await settle(ackWrites + (try await send(negative, directory: directory, now: now)), directory: directory, now: now)
    }

    /// One write of a delivery or a forward, as the task group returns it.
    private enum WriteOutcome: Sendable {
        case delivered(String, Result<KafkaDeliveryReport, KafkaError>)
        case forwarded(ForwardOutcome)
    }

    /// A record (with the recipients the next hub is to serve in `dr-pending-to`) to the next
    /// hub; without links (a relay started with a single hub) a passing failure, never a drop.
    static func forward(
        _ record: KafkaProducerRecord, to hub: String, over neighbours: NeighbourLinks?
    ) async throws -> Result<KafkaDeliveryReport, ForwardFailure> {
        guard let neighbours else {
            return .failure(ForwardFailure(
                hub: hub, reason: "no link to hub \(hub): the relay started with a single hub; restart it after a topology change"))
        }
        return try await neighbours.forward(record, to: hub)
    }
}
