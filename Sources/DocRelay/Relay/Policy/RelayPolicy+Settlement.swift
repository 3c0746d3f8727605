import DocRelayCore
import DocRelayKafka
import Foundation

extension RelayPolicy {
    /// What to write once `delivery`'s attempts are done, at `now`:
    ///
    /// - the acceptance ledger's entry first, then the `accepted` event (when the plan has them);
    /// - a `forwarded` event per forward written (in `outcomes.forwards` order), a `delivered`
    ///   event per inbox written (in `delivery.inboxes` order), and a positive ack for each of
    ///   these inbox deliveries (none for a forward: the hub that delivers acks);
    /// - the recipients whose write failed (forwards' first, then inboxes'): the next retry tier
    ///   (`retryOrDeadLetter`), or the dead-letter topic `exhausted` with negative acks;
    /// - the recipients no hub leads to: the dead-letter topic `recipient`, with negative acks.
    ///
    /// A segment of a large document that is not its last (`part`) is reported by its last: its
    /// writes that succeeded get no event, decision nor ack, and it writes no ledger entry nor
    /// `accepted` event; its failures go to the retry tiers like any record's. `notAttempted`:
    /// recipients whose write was not attempted (an earlier segment of theirs went to the retry
    /// tiers: the rest follow in order), settled as failures.
    func settle(
        _ delivery: RelayDelivery, outcomes: DeliveryOutcomes, now: Date, part: Bool = false,
        notAttempted: [RecipientFailure] = []
    ) -> RelaySettlement {
        let signed = delivery.signed
        let record = delivery.record
        var settlement = RelaySettlement()
        if !part, let ledger = delivery.ledger { settlement.writes.append(ledger) }
        if !part, let accepted = delivery.accepted { settlement.writes.append(accepted) }
        var failed: [RecipientFailure] = []
        for forward in outcomes.forwards {
            switch forward.result {
            case .success where part:
                break
            case .success(let report):
                var forwarded = event(.forwarded, for: signed, record: record, now: now)
                forwarded.to = forward.recipients
                forwarded.target = "\(forward.hub):\(report.topic)/\(report.partition)/\(report.offset)"
                settlement.writes.append(encoded(forwarded))
                settlement.decisions.append(.forwarded(hub: forward.hub))
            case .failure(let failure):
                failed += forward.recipients.map { RecipientFailure(recipient: $0, reason: failure.reason) }
            }
        }
        var delivered: [String] = []
        for inbox in delivery.inboxes {
            let code = inbox.recipient
            switch outcomes.inboxes[code] {
            case .success? where part:
                break
            case .success(let report)?:
                delivered.append(code)
                settlement.decisions.append(.delivered(recipient: code, created: signed.createdDate))
                var delivery = event(.delivered, for: signed, record: record, now: now)
                delivery.recipient = code
                delivery.target = "\(report.topic)/\(report.partition)/\(report.offset)"
                delivery.latencyMilliseconds = max(Int(now.timeIntervalSince(signed.createdDate) * 1000), 0)
                settlement.writes.append(encoded(delivery))
            case .failure(let error)?:
                failed.append(RecipientFailure(recipient: code, reason: "\(topics.inbox(code)): \(error)"))
            case nil:
                failed.append(RecipientFailure(recipient: code, reason: "no outcome"))
            }
        }
        settlement.acks = acks(for: signed, recipients: delivered, outcome: .delivered, reason: nil)
        failed += notAttempted
        if !failed.isEmpty {
            retryOrDeadLetter(delivery, failed: failed, remote: false, now: now, into: &settlement)
        }
        if !delivery.unroutable.isEmpty {
            // No hub of the directory leads to them: no retry can help.
            retryOrDeadLetter(delivery, failed: delivery.unroutable, remote: true, now: now, into: &settlement)
        }
        return settlement
    }

    /// A passing failure goes to the next tier (`dr-attempt` + 1, `dr-not-before` now + the
    /// tier's delay, `dr-pending-to` the failed recipients, `dr-error` their reasons, at most
    /// 4,096 characters; `dr-origin-*` where it was first read); after the last tier, or past
    /// the maximum age, the dead-letter topic `exhausted`; a recipient no retry can serve
    /// (`remote`: no hub leads to it), the dead-letter topic `recipient`. Dead letters bring
    /// a negative ack per failed recipient.
    private func retryOrDeadLetter(
        _ delivery: RelayDelivery, failed: [RecipientFailure], remote: Bool, now: Date, into settlement: inout RelaySettlement
    ) {
        let signed = delivery.signed
        let record = delivery.record
        let attempt = delivery.attempt
        let pending = failed.map(\.recipient)
        let reason = failed.map { "\($0.recipient): \($0.reason)" }.joined(separator: "; ")
        let age = now.timeIntervalSince(signed.createdDate)
        let maxAgeSeconds = Double(maxAge.components.seconds)
        if attempt < tiers.count, age < maxAgeSeconds, !remote {
            let tier = tiers[attempt]
            let due = Self.timestamp(now.addingTimeInterval(Self.seconds(tier.delay)))
            var headers = record.headers.filter {
                ![HeaderName.attempt, HeaderName.notBefore, HeaderName.pendingTo, HeaderName.error].contains($0.name)
            }
            if headers.string(named: HeaderName.originTopic) == nil {
                headers.append(KafkaHeader(name: HeaderName.originTopic, string: record.topic))
                headers.append(KafkaHeader(name: HeaderName.originPartition, string: String(record.partition)))
                headers.append(KafkaHeader(name: HeaderName.originOffset, string: String(record.offset)))
            }
            headers.append(KafkaHeader(name: HeaderName.attempt, string: String(attempt + 1)))
            headers.append(KafkaHeader(name: HeaderName.notBefore, string: due))
            headers.append(KafkaHeader(name: HeaderName.pendingTo, string: pending.joined(separator: ",")))
            headers.append(KafkaHeader(name: HeaderName.error, string: String(reason.prefix(4096))))
            var retried = event(.retried, for: signed, record: record, now: now)
            retried.to = pending
            retried.attempt = attempt + 1
            retried.target = topics.retry(tier)
            retried.notBefore = due
            retried.reason = reason
            settlement.writes.append(
                KafkaProducerRecord(topic: topics.retry(tier), key: Array(signed.id.utf8), value: record.value, headers: headers))
            settlement.writes.append(encoded(retried))
            settlement.decisions.append(.retried(tier: tier, id: signed.id, reason: reason))
            return
        }
        let why = attempt >= tiers.count
            ? "every retry tier tried (\(tiers.map(\.name).joined(separator: ", "))): \(reason)"
            : remote ? reason : "older than the maximum age (\(maxAge)): \(reason)"
        let errorClass: ErrorClass = remote ? .recipient : .exhausted
        settlement.writes.append(
            DeadLetter.record(for: record, errorClass: errorClass, reason: why, pendingTo: pending, topics: topics, at: now,
                              limits: limits))
        var dead = event(.deadLettered, for: signed, record: record, now: now)
        dead.to = pending
        dead.errorClass = errorClass.rawValue
        dead.reason = why
        dead.target = topics.deadLetters
        settlement.writes.append(encoded(dead))
        let negative = acks(for: signed, recipients: pending, outcome: .failed, reason: "\(errorClass): \(why)")
        settlement.decisions.append(.deadLettered(errorClass, id: signed.id, reason: why, negativeAcks: negative))
    }
}
