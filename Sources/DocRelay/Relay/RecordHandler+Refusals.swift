import DocRelayCore
import DocRelayKafka
import Foundation
import Logging

extension RecordHandler {
    /// Writes `records` durably (`DurableWriter.writeAll`), and gives every record refused for
    /// good a terminal outcome in bounded steps (`WriteRefusal.step`): a refused dead letter
    /// becomes a minimal one; a refused retry is dead-lettered `exhausted` (with negative acks);
    /// a refused minimal dead letter or event throws `RelayHalt.outcomeUnwritable` (the relay
    /// stops: `/healthz` 503, exit 1, instead of a worker retrying forever).
    func settle(_ records: [KafkaProducerRecord], now: Date) async throws {
        var queue = records
        while !queue.isEmpty {
            let refused = try await writer.writeAll(queue)
            queue = []
            for refusal in refused {
                switch refusal.step(topics: topics, tiers: tiers) {
                case .minimalDeadLetter:
                    logger.error(
                        "Dead letter refused by the broker; writing a minimal one",
                        metadata: [LogKey.topic: "\(refusal.record.topic)", LogKey.error: "\(refusal.error)"])
                    queue.append(DeadLetter.minimal(replacing: refusal.record, refusal: "\(refusal.error.code.name)"))
                case .deadLetterInstead(let reason):
                    logger.error("Retry refused by the broker; dead-lettering", metadata: [LogKey.error: "\(reason)"])
                    try await deadLetterInsteadOfRetry(refusal.record, reason: reason, now: now)
                case .halt(let reason):
                    logger.critical("Relay halted: an outcome cannot be written", metadata: [LogKey.error: "\(reason)"])
                    throw RelayHalt.outcomeUnwritable(reason)
                }
            }
        }
    }

    /// A retry record the broker refused for good, dead-lettered `exhausted` instead, then the
    /// negative acks to an authentic sender for the recipients it was pending for.
    private func deadLetterInsteadOfRetry(_ retry: KafkaProducerRecord, reason: String, now: Date) async throws {
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
            instance: instance, at: RFC3339.format(now, fractionalDigits: 3))
        dead.kind = signed?.kind.rawValue
        dead.from = signed?.from
        dead.to = pending ?? signed?.to
        dead.errorClass = ErrorClass.exhausted.rawValue
        dead.reason = why
        dead.target = topics.deadLetters
        metrics.recordOutcome(.deadLettered)
        metrics.deadLettered(errorClass: .exhausted)
        logger.warning(
            "Dead-lettered",
            metadata: [LogKey.documentID: "\(dead.id)", LogKey.errorClass: "\(ErrorClass.exhausted)", LogKey.error: "\(why)"])
        try await settle([
            DeadLetter.record(for: origin, errorClass: .exhausted, reason: why, pendingTo: pending, topics: topics, at: now, limits: limits),
            encoded(dead),
        ], now: now)
        guard let signed else { return }
        let negative = (pending ?? signed.to).compactMap {
            ack(for: signed, recipient: $0, outcome: .failed, reason: "\(ErrorClass.exhausted): \(why)", now: now)
        }
        try await settle(try await send(negative, now: now), now: now)
    }
}
