import DocRelayCore
import DocRelayKafka
import Foundation

/// Where an ack goes: its sender's inbox here, the next hub toward the sender's home hub, or
/// nowhere (no hub of the directory leads there: a failure, like a write that failed).
enum AckWay: Sendable, Equatable {
    /// Write `record` (the ack as signed) into the sender's inbox on this hub's cluster.
    case inbox(KafkaProducerRecord)
    /// Write `record` (the ack with this hub's `dr-hop` appended) to next hub `hub`.
    case forward(hub: String, record: KafkaProducerRecord)
    /// Nowhere to send it.
    case unroutable(ForwardFailure)
}

extension RelayPolicy {
    /// Where `ack` goes from this hub in `directory` (the record's snapshot), at `now`. A
    /// forwarded ack carries this hub's hop, so that its path is checked and traced like any
    /// record's.
    func way(of ack: OutgoingAck, in directory: Directory, now: Date) -> AckWay {
        let route = Self.route([ack.sender], from: hubID, in: directory)
        if let next = route.forward.first {
            var forwarded = ack.record
            forwarded.headers.append(hop(at: now))
            return .forward(hub: next.hub, record: forwarded)
        }
        if let unroutable = route.unroutable.first {
            return .unroutable(ForwardFailure(hub: hubID, reason: unroutable.reason))
        }
        return .inbox(ack.record)
    }

    /// What to write once `acks` were sent (`outcomes[i]` the outcome of `acks[i]`; an ack
    /// without one is skipped): an `acked` event where one landed; where one failed, the ack
    /// into the first retry tier (`dr-attempt` 1, `dr-not-before` now + the tier's delay,
    /// `dr-pending-to` its sender, `dr-error` the failure) and a `retried` event. Without
    /// tiers, a failed ack is dropped (nothing written).
    func settleAcks(
        _ acks: [OutgoingAck], outcomes: [Int: Result<KafkaDeliveryReport, ForwardFailure>], now: Date
    ) -> RelaySettlement {
        var settlement = RelaySettlement()
        for (index, ack) in acks.enumerated() {
            var acked = RelayEvent(event: .acked, id: ack.ref, hub: hubID, instance: instance, at: Self.timestamp(now))
            acked.recipient = ack.recipient
            acked.from = ack.sender
            switch outcomes[index] {
            case .success(let report)?:
                acked.target = "\(report.topic)/\(report.partition)/\(report.offset)"
                settlement.decisions.append(.acked)
            case .failure(let error)?:
                guard let tier = tiers.first else { continue }
                let due = now.addingTimeInterval(Self.seconds(tier.delay))
                var headers = ack.record.headers
                headers.append(KafkaHeader(name: HeaderName.attempt, string: "1"))
                headers.append(KafkaHeader(name: HeaderName.notBefore, string: Self.timestamp(due)))
                headers.append(KafkaHeader(name: HeaderName.pendingTo, string: ack.sender))
                headers.append(KafkaHeader(name: HeaderName.error, string: "\(error)"))
                settlement.writes.append(
                    KafkaProducerRecord(topic: topics.retry(tier), key: ack.record.key, value: ack.record.value, headers: headers))
                acked.event = .retried
                acked.target = topics.retry(tier)
                acked.reason = "ack not delivered: \(error)"
                settlement.decisions.append(.ackRetried(tier: tier))
            case nil:
                continue
            }
            settlement.writes.append(encoded(acked))
        }
        return settlement
    }
}
