import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging

/// Decides and carries out what happens to one record of the hub, as the contract says: verify;
/// deliver to each recipient's inbox and ack the sender, or send what failed for a passing
/// reason to the next retry tier, or dead-letter it (with a negative ack to an authentic
/// sender); one event per decision. `handle` returns once every outcome is durable, so that the
/// caller may then mark the record processed (and its offset committable).
struct RecordHandler: Sendable {
    let hubID: String
    let instance: String
    let topics: TopicNames
    let tiers: [RetryTier]
    let maxAge: Duration
    let limits: EnvelopeLimits
    let directory: DirectoryStore
    let trust: TrustStore
    let signatures: FastCMSVerifier
    let writer: DurableWriter
    let acks: AckFactory
    /// The neighbour hubs records are forwarded to (none with a single hub).
    let neighbours: NeighbourLinks?
    /// A record that has passed this many hubs is dead-lettered (a loop the path check missed).
    let maxHops: Int
    let metrics: RelayMetrics
    let logger: Logger

    /// Handles `record`; throws `CancellationError` (the relay is stopping: the record stays
    /// uncommitted and is handled again after restart) or `RelayHalt` (no outcome of it can
    /// be written: the relay must stop, see `settle`).
    func handle(_ record: KafkaRecord, now: Date = Date()) async throws {
        let started = ContinuousClock.now
        defer { metrics.processing(ContinuousClock.now - started) }
        let headers = record.headers.map { (name: $0.name, value: $0.value) }
        let verifier = DocumentVerifier(directory: directory.current, trust: trust, signatures: signatures, limits: limits)
        switch verifier.verify(headers: headers, value: record.value) {
        case .failure(let rejection):
            try await deadLetter(record, rejection: rejection, now: now)
        case .success(let document):
            let signed = document.envelope.signed
            if let code = topics.agencyCode(ofOutTopic: record.topic), code != signed.from {
                let rejection = Rejection(.sender, "published on \(record.topic), but dr-from is \(signed.from)")
                try await deadLetter(record, rejection: rejection, now: now)
                return
            }
            if let loop = loopReason(document.envelope.relay.hops) {
                let authentic = signed.hubSender == nil ? document.sender?.code : nil
                try await deadLetter(record, rejection: Rejection(.malformed, loop, authenticSender: authentic), now: now)
                return
            }
            try await dispatch(record, document: document, now: now)
        }
    }

    /// Why a record's path is a loop: it passed this hub before, or too many hubs.
    private func loopReason(_ hops: [String]) -> String? {
        let path = hops.map { String($0.split(separator: "/", maxSplits: 1).first ?? "") }
        if path.contains(hubID) {
            return "loop: it passed hub \(hubID) before (dr-hop: \(path.joined(separator: " → ")))"
        }
        if path.count >= maxHops {
            return "loop: \(path.count) hops, the limit is \(maxHops) (dr-hop: \(path.joined(separator: " → ")))"
        }
        return nil
    }

    // MARK: Delivery

    private func dispatch(_ record: KafkaRecord, document: VerifiedDocument, now: Date) async throws {
        let signed = document.envelope.signed
        let relay = document.envelope.relay
        var recipients = signed.to
        if let pending = relay.pendingTo {
            recipients = signed.to.filter(pending.contains)
            guard !recipients.isEmpty else {
                let rejection = Rejection(.malformed, "dr-pending-to names none of dr-to")
                try await deadLetter(record, rejection: rejection, now: now)
                return
            }
        }
        let attempt = relay.attempt ?? 0
        var writes: [KafkaProducerRecord] = []
        if attempt == 0 && relay.replayed == nil {
            writes.append(eventRecord(.accepted, for: signed, record: record, now: now))
        }

        // Each recipient: into its inbox when it lives here, else to the next hub on its way.
        let route = Self.route(recipients, from: hubID, in: self.directory.current)
        let local = route.local
        let deliveryHeaders = forwardedHeaders(record.headers, now: now)
        // Deliveries and forwards at once, in one group: no task more for a record with no forward.
        let neighbours = self.neighbours
        let (results, forwards) = try await withThrowingTaskGroup(of: WriteOutcome.self) { group in
            for code in local {
                let delivery = KafkaProducerRecord(
                    topic: topics.inbox(code), key: Array(signed.id.utf8), value: record.value, headers: deliveryHeaders)
                group.addTask { .delivered(code, try await writer.attempt(delivery)) }
            }
            for next in route.forward {
                let forwarded = KafkaProducerRecord(
                    topic: "", key: Array(signed.id.utf8), value: record.value,
                    headers: deliveryHeaders + [KafkaHeader(name: HeaderName.pendingTo, string: next.codes.joined(separator: ","))])
                group.addTask { .forwarded(next.hub, next.codes, try await Self.forward(forwarded, to: next.hub, over: neighbours)) }
            }
            var results: [String: Result<KafkaDeliveryReport, KafkaError>] = [:]
            var forwards: [(hub: String, codes: [String], result: Result<KafkaDeliveryReport, ForwardFailure>)] = []
            for try await outcome in group {
                switch outcome {
                case .delivered(let code, let result): results[code] = result
                case .forwarded(let hub, let codes, let result): forwards.append((hub, codes, result))
                }
            }
            return (results, forwards)
        }

        var delivered: [String] = []
        var failed: [(code: String, reason: String)] = []
        for (next, codes, result) in forwards {
            switch result {
            case .success(let report):
                var forwarded = event(.forwarded, for: signed, record: record, now: now)
                forwarded.to = codes
                forwarded.target = "\(next):\(report.topic)/\(report.partition)/\(report.offset)"
                writes.append(encoded(forwarded))
                metrics.recordOutcome(.forwarded)
            case .failure(let failure):
                failed += codes.map { ($0, failure.reason) }
            }
        }
        for code in local {
            switch results[code] {
            case .success(let report)?:
                delivered.append(code)
                metrics.recordOutcome(.delivered)
                metrics.endToEndLatency(.milliseconds(Int64(max(Date().timeIntervalSince(signed.createdDate), 0) * 1000)))
                var delivery = event(.delivered, for: signed, record: record, now: now)
                delivery.recipient = code
                delivery.target = "\(report.topic)/\(report.partition)/\(report.offset)"
                delivery.latencyMilliseconds = max(Int(now.timeIntervalSince(signed.createdDate) * 1000), 0)
                writes.append(encoded(delivery))
            case .failure(let error)?:
                failed.append((code, "\(topics.inbox(code)): \(error)"))
            case nil:
                failed.append((code, "no outcome"))
            }
        }
        let positive = delivered.compactMap { ack(for: signed, recipient: $0, outcome: .delivered, reason: nil, now: now) }
        var negative: [(record: KafkaProducerRecord, ref: String, recipient: String, sender: String)] = []
        if !failed.isEmpty {
            let (more, acks) = retryOrDeadLetter(record, signed: signed, attempt: attempt, failed: failed, remote: false, now: now)
            writes += more
            negative = acks
        }
        if !route.unroutable.isEmpty {
            // No hub of the directory leads to them: no retry can help.
            let (more, acks) = retryOrDeadLetter(
                record, signed: signed, attempt: attempt, failed: route.unroutable, remote: true, now: now)
            writes += more
            negative += acks
        }
        // What an ack reports is durable before it goes: the deliveries already are, so their
        // acks go with the events; a negative ack waits for its dead letter.
        async let written: Void = settle(writes, now: now)
        let ackWrites = try await send(positive, now: now)
        try await written
        try await settle(ackWrites + (try await send(negative, now: now)), now: now)
    }

    /// Sends acks to their inboxes, after what they acknowledge is durable. An ack whose inbox
    /// cannot be written to goes through the retry tiers like any record (it is signed by this
    /// hub, which the directory binds). Returns the events and retry records to write.
    func send(_ acks: [(record: KafkaProducerRecord, ref: String, recipient: String, sender: String)], now: Date) async throws -> [KafkaProducerRecord] {
        guard !acks.isEmpty else { return [] }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Result<KafkaDeliveryReport, ForwardFailure>).self) { group in
            for (index, ack) in acks.enumerated() {
                group.addTask { (index, try await deliverAck(ack.record, to: ack.sender, now: now)) }
            }
            var outcomes: [Int: Result<KafkaDeliveryReport, ForwardFailure>] = [:]
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        var writes: [KafkaProducerRecord] = []
        for (index, ack) in acks.enumerated() {
            var acked = RelayEvent(event: .acked, id: ack.ref, hub: hubID, instance: instance, at: RFC3339.format(now, fractionalDigits: 3))
            acked.recipient = ack.recipient
            acked.from = ack.sender
            switch outcomes[index] {
            case .success(let report)?:
                acked.target = "\(report.topic)/\(report.partition)/\(report.offset)"
                metrics.recordOutcome(.acked)
            case .failure(let error)?:
                guard let tier = tiers.first else { continue }
                let due = now.addingTimeInterval(Self.seconds(tier.delay))
                var headers = ack.record.headers
                headers.append(KafkaHeader(name: HeaderName.attempt, string: "1"))
                headers.append(KafkaHeader(name: HeaderName.notBefore, string: RFC3339.format(due, fractionalDigits: 3)))
                headers.append(KafkaHeader(name: HeaderName.pendingTo, string: ack.sender))
                headers.append(KafkaHeader(name: HeaderName.error, string: "\(error)"))
                writes.append(KafkaProducerRecord(topic: topics.retry(tier), key: ack.record.key, value: ack.record.value, headers: headers))
                acked.event = .retried
                metrics.recordOutcome(.retried)
                metrics.retried(tier: tier)
                acked.target = topics.retry(tier)
                acked.reason = "ack not delivered: \(error)"
            case nil:
                continue
            }
            writes.append(encoded(acked))
        }
        return writes
    }

    /// An ack into its sender's inbox here, or to the next hub on the way to the sender's home
    /// (with this hub's hop, so that its path is checked and traced like any record's).
    private func deliverAck(_ ack: KafkaProducerRecord, to sender: String, now: Date) async throws -> Result<KafkaDeliveryReport, ForwardFailure> {
        let route = Self.route([sender], from: hubID, in: directory.current)
        if let (next, _) = route.forward.first {
            var forwarded = ack
            forwarded.headers.append(KafkaHeader(name: HeaderName.hop, string: "\(hubID)/\(instance)/\(RFC3339.format(now, fractionalDigits: 3))"))
            return try await Self.forward(forwarded, to: next, over: neighbours)
        }
        if let unroutable = route.unroutable.first {
            return .failure(ForwardFailure(hub: hubID, reason: unroutable.reason))
        }
        return try await writer.attempt(ack).mapError { ForwardFailure(hub: hubID, reason: "\(ack.topic): \($0)") }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A passing failure goes to the next tier; after the last tier, or past the maximum age,
    /// or for a recipient no retry can serve (no hub leads to it), the dead-letter topic.
    private func retryOrDeadLetter(
        _ record: KafkaRecord, signed: SignedHeaders, attempt: Int, failed: [(code: String, reason: String)],
        remote: Bool, now: Date
    ) -> (writes: [KafkaProducerRecord], acks: [(record: KafkaProducerRecord, ref: String, recipient: String, sender: String)]) {
        let pending = failed.map(\.code)
        let reason = failed.map { "\($0.code): \($0.reason)" }.joined(separator: "; ")
        let age = now.timeIntervalSince(signed.createdDate)
        let maxAgeSeconds = Double(maxAge.components.seconds)
        if attempt < tiers.count, age < maxAgeSeconds, !remote {
            let tier = tiers[attempt]
            let due = now.addingTimeInterval(Self.seconds(tier.delay))
            var headers = record.headers.filter {
                ![HeaderName.attempt, HeaderName.notBefore, HeaderName.pendingTo, HeaderName.error].contains($0.name)
            }
            if headers.string(named: HeaderName.originTopic) == nil {
                headers += originHeaders(record)
            }
            headers.append(KafkaHeader(name: HeaderName.attempt, string: String(attempt + 1)))
            headers.append(KafkaHeader(name: HeaderName.notBefore, string: RFC3339.format(due, fractionalDigits: 3)))
            headers.append(KafkaHeader(name: HeaderName.pendingTo, string: pending.joined(separator: ",")))
            headers.append(KafkaHeader(name: HeaderName.error, string: String(reason.prefix(4096))))
            var retried = event(.retried, for: signed, record: record, now: now)
            retried.to = pending
            retried.attempt = attempt + 1
            retried.target = topics.retry(tier)
            retried.notBefore = RFC3339.format(due, fractionalDigits: 3)
            retried.reason = reason
            metrics.recordOutcome(.retried)
            metrics.retried(tier: tier)
            logger.notice(
                "Delivery failed; retrying later",
                metadata: [LogKey.documentID: "\(signed.id)", LogKey.retryTier: "\(tier)", LogKey.error: "\(reason)"])
            return ([
                KafkaProducerRecord(topic: topics.retry(tier), key: Array(signed.id.utf8), value: record.value, headers: headers),
                encoded(retried),
            ], [])
        }
        let why = attempt >= tiers.count
            ? "every retry tier tried (\(tiers.map(\.name).joined(separator: ", "))): \(reason)"
            : remote ? reason : "older than the maximum age (\(maxAge)): \(reason)"
        let errorClass: ErrorClass = remote ? .recipient : .exhausted
        var writes = [
            DeadLetter.record(for: record, errorClass: errorClass, reason: why, pendingTo: pending, topics: topics, at: now,
                              limits: limits)
        ]
        var dead = event(.deadLettered, for: signed, record: record, now: now)
        dead.to = pending
        dead.errorClass = errorClass.rawValue
        dead.reason = why
        dead.target = topics.deadLetters
        writes.append(encoded(dead))
        let negative = pending.compactMap { ack(for: signed, recipient: $0, outcome: .failed, reason: "\(errorClass): \(why)", now: now) }
        metrics.recordOutcome(.deadLettered)
        metrics.deadLettered(errorClass: errorClass)
        logger.warning(
            "Dead-lettered",
            metadata: [LogKey.documentID: "\(signed.id)", LogKey.errorClass: "\(errorClass)", LogKey.error: "\(why)"])
        return (writes, negative)
    }

    // MARK: Routing

    /// Where each recipient goes from `hubID`: its inbox here, the next hub on the tree's path
    /// to its home hub, or nowhere (no path in the directory).
    static func route(
        _ recipients: [String], from hubID: String, in directory: Directory
    ) -> (local: [String], forward: [(hub: String, codes: [String])], unroutable: [(code: String, reason: String)]) {
        var local: [String] = []
        var forward: [String: [String]] = [:]
        var unroutable: [(code: String, reason: String)] = []
        guard let here = directory.hub(id: hubID) else { return (recipients, [], []) }
        for code in recipients {
            guard let home = directory.agency(named: code).flatMap({ directory.homeHub(of: $0.code) }), home.id != hubID else {
                local.append(code)
                continue
            }
            guard let next = directory.nextHub(from: here, toward: home) else {
                unroutable.append((code, "\(code)'s home hub is \(home.id), and no hub of the directory leads there from \(hubID)"))
                continue
            }
            // A next hub without a link (the directory reloaded with a new neighbour) fails as a
            // passing failure: retried, and served once the relay restarts with the new tree.
            forward[next.id, default: []].append(code)
        }
        return (local, forward.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, unroutable)
    }

    /// One write of a delivery or a forward, as the dispatch's task group returns it.
    private enum WriteOutcome: Sendable {
        case delivered(String, Result<KafkaDeliveryReport, KafkaError>)
        case forwarded(String, [String], Result<KafkaDeliveryReport, ForwardFailure>)
    }

    /// A record (with the recipients the next hub is to serve in `dr-pending-to`) to the next
    /// hub; without links (a relay started with a single hub) a passing failure, never a drop.
    private static func forward(
        _ record: KafkaProducerRecord, to hub: String, over neighbours: NeighbourLinks?
    ) async throws -> Result<KafkaDeliveryReport, ForwardFailure> {
        guard let neighbours else {
            return .failure(ForwardFailure(
                hub: hub, reason: "no link to hub \(hub): the relay started with a single hub; restart it after a topology change"))
        }
        return try await neighbours.forward(record, to: hub)
    }

    // MARK: Refusals

    private func deadLetter(_ record: KafkaRecord, rejection: Rejection, now: Date) async throws {
        var writes = [
            DeadLetter.record(for: record, errorClass: rejection.errorClass, reason: rejection.reason, topics: topics,
                              at: now, limits: limits)
        ]
        let signed = try? Envelope.decode(
            headers: record.headers.map { (name: $0.name, value: $0.value) }, valueLength: 0, limits: limits
        ).signed
        var dead = RelayEvent(
            event: .deadLettered, id: signed?.id ?? "\(record.topic)/\(record.partition)/\(record.offset)", hub: hubID,
            instance: instance, at: RFC3339.format(now, fractionalDigits: 3))
        dead.kind = signed?.kind.rawValue
        dead.from = signed?.from
        dead.to = signed?.to
        dead.topic = record.topic
        dead.partition = record.partition
        dead.offset = record.offset
        dead.errorClass = rejection.errorClass.rawValue
        dead.reason = rejection.reason
        dead.target = topics.deadLetters
        writes.append(encoded(dead))
        var negative: [(record: KafkaProducerRecord, ref: String, recipient: String, sender: String)] = []
        if let signed, rejection.authenticSender != nil {
            negative = signed.to.compactMap {
                ack(for: signed, recipient: $0, outcome: .failed, reason: "\(rejection.errorClass): \(rejection.reason)", now: now)
            }
        }
        metrics.recordOutcome(.deadLettered)
        metrics.deadLettered(errorClass: rejection.errorClass)
        logger.warning(
            "Refused and dead-lettered",
            metadata: [
                LogKey.documentID: "\(dead.id)", LogKey.errorClass: "\(rejection.errorClass)",
                LogKey.error: "\(rejection.reason)", LogKey.topic: "\(record.topic)",
            ])
        try await settle(writes, now: now)
        try await settle(try await send(negative, now: now), now: now)
    }

    // MARK: Records the relay writes

    /// The record's headers for the next step: the relay's retry bookkeeping removed, this
    /// hop appended.
    private func forwardedHeaders(_ headers: [KafkaHeader], now: Date) -> [KafkaHeader] {
        let bookkeeping: Set<String> = [
            HeaderName.attempt, HeaderName.notBefore, HeaderName.pendingTo, HeaderName.error, HeaderName.errorClass,
            HeaderName.replayed, HeaderName.originTopic, HeaderName.originPartition, HeaderName.originOffset,
        ]
        var result = headers.filter { !bookkeeping.contains($0.name) }
        result.append(KafkaHeader(name: HeaderName.hop, string: "\(hubID)/\(instance)/\(RFC3339.format(now, fractionalDigits: 3))"))
        return result
    }

    private func originHeaders(_ record: KafkaRecord) -> [KafkaHeader] {
        [
            KafkaHeader(name: HeaderName.originTopic, string: record.topic),
            KafkaHeader(name: HeaderName.originPartition, string: String(record.partition)),
            KafkaHeader(name: HeaderName.originOffset, string: String(record.offset)),
        ]
    }

    /// The signed ack to the sender for one recipient; none for records that are acks
    /// themselves, nor for a hub's own records.
    func ack(
        for signed: SignedHeaders, recipient: String, outcome: AckMessage.Outcome, reason: String?, now: Date
    ) -> (record: KafkaProducerRecord, ref: String, recipient: String, sender: String)? {
        guard signed.hubSender == nil, signed.kind != .ack else { return nil }
        do {
            let record = try acks.ack(for: signed, recipient: recipient, outcome: outcome, reason: reason, at: now)
            return (record, signed.id, recipient, signed.from)
        } catch {
            logger.error("Cannot sign an ack", metadata: [LogKey.documentID: "\(signed.id)", LogKey.error: "\(error)"])
            return nil
        }
    }

    private func event(_ kind: RelayEvent.Kind, for signed: SignedHeaders, record: KafkaRecord, now: Date) -> RelayEvent {
        var event = RelayEvent(event: kind, id: signed.id, hub: hubID, instance: instance, at: RFC3339.format(now, fractionalDigits: 3))
        event.kind = signed.kind.rawValue
        event.from = signed.from
        event.to = signed.to
        event.topic = record.topic
        event.partition = record.partition
        event.offset = record.offset
        return event
    }

    private func eventRecord(_ kind: RelayEvent.Kind, for signed: SignedHeaders, record: KafkaRecord, now: Date) -> KafkaProducerRecord {
        encoded(event(kind, for: signed, record: record, now: now))
    }

    func encoded(_ event: RelayEvent) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topics.events, key: Array(event.id.utf8), value: event.encoded(),
            headers: [KafkaHeader(name: HeaderName.id, string: event.id)])
    }
}
