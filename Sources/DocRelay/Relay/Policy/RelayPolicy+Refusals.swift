import DocRelayDocuments
import DocRelayCore
import DocRelayKafka
import Foundation

extension RelayPolicy {
    /// A refused record: its dead letter (class and reason of `rejection`) and `dead-lettered`
    /// event, and when the sender is authentic a negative ack per recipient it was for: those of
    /// `dr-pending-to` that are in `dr-to` when the record names some (one from a neighbour hub
    /// or a retry tier: the others were served elsewhere or before), else every one of `dr-to`;
    /// the dead letter keeps them in `dr-pending-to`, so that a replay serves only them.
    /// `signed`: the record's signed headers when they decoded (the event then names the
    /// document; else it is named `<topic>/<partition>/<offset>` and no ack can be addressed).
    func refusal(of record: KafkaRecord, _ rejection: Rejection, signed: SignedHeaders?, now: Date) -> RelaySettlement {
        let pending = signed.flatMap { signed in
            record.headers.string(named: HeaderName.pendingTo).map { text in
                text.split(separator: ",").map(String.init).filter(signed.to.contains)
            }
        }.flatMap { $0.isEmpty ? nil : $0 }
        let deadLetter = DeadLetter.record(
            for: record, errorClass: rejection.errorClass, reason: rejection.reason, pendingTo: pending, topics: topics, at: now,
            limits: limits)
        var dead = RelayEvent(
            event: .deadLettered, id: signed?.id ?? "\(record.topic)/\(record.partition)/\(record.offset)", hub: hubID,
            instance: instance, at: Self.timestamp(now))
        dead.kind = signed?.kind.rawValue
        dead.from = signed?.from
        dead.to = pending ?? signed?.to
        dead.topic = record.topic
        dead.partition = record.partition
        dead.offset = record.offset
        dead.errorClass = rejection.errorClass.rawValue
        dead.reason = rejection.reason
        dead.target = topics.deadLetters
        var negative: [AckRequest] = []
        if let signed, rejection.authenticSender != nil {
            negative = acks(
                for: signed, recipients: pending ?? signed.to, outcome: .failed, reason: "\(rejection.errorClass): \(rejection.reason)")
        }
        return RelaySettlement(
            writes: [deadLetter, encoded(dead)],
            decisions: [.refused(rejection.errorClass, id: dead.id, reason: rejection.reason, topic: record.topic, negativeAcks: negative)])
    }

    /// A retry record (of a document or an ack) the broker refused for good (`reason`, e.g. its
    /// tier's topic is missing): dead-lettered `exhausted` instead, with the failure that sent
    /// it to the tier, and a negative ack per recipient it was pending for (none for an ack).
    /// The record's headers are decoded here (their size was bounded when the record was read).
    func settleRefusedRetry(_ retry: KafkaProducerRecord, reason: String, now: Date) -> RelaySettlement {
        let headers = retry.headers
        let origin = KafkaRecord(
            topic: headers.string(named: HeaderName.originTopic) ?? retry.topic,
            partition: headers.string(named: HeaderName.originPartition).flatMap { Int32($0) } ?? -1,
            offset: headers.string(named: HeaderName.originOffset).flatMap { Int64($0) } ?? -1,
            key: retry.key, value: retry.value, headers: headers)
        let why = reason + (headers.string(named: HeaderName.error).map { "; before: \($0)" } ?? "")
        let pending = headers.string(named: HeaderName.pendingTo).map { $0.split(separator: ",").map(String.init) }
        let signed = try? Envelope.decode(
            headers: headers.map { (name: $0.name, value: $0.value) }, valueLength: 0, limits: limits).signed
        var dead = RelayEvent(
            event: .deadLettered, id: signed?.id ?? "\(origin.topic)/\(origin.partition)/\(origin.offset)", hub: hubID,
            instance: instance, at: Self.timestamp(now))
        dead.kind = signed?.kind.rawValue
        dead.from = signed?.from
        dead.to = pending ?? signed?.to
        dead.errorClass = ErrorClass.exhausted.rawValue
        dead.reason = why
        dead.target = topics.deadLetters
        let negative = signed.map {
            acks(for: $0, recipients: pending ?? $0.to, outcome: .failed, reason: "\(ErrorClass.exhausted): \(why)")
        } ?? []
        return RelaySettlement(
            writes: [
                DeadLetter.record(
                    for: origin, errorClass: .exhausted, reason: why, pendingTo: pending, topics: topics, at: now, limits: limits),
                encoded(dead),
            ],
            decisions: [.deadLettered(.exhausted, id: dead.id, reason: why, negativeAcks: negative)])
    }
}
