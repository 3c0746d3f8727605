import DocRelayCore
import DocRelayKafka
import Foundation
import Logging

extension RecordHandler {
    /// Writes `records` durably (`DurableWriter.writeAll`), and gives every record refused for
    /// good a terminal outcome in bounded steps (`WriteRefusal.step`): a refused dead letter
    /// becomes a minimal one; a refused retry is dead-lettered `exhausted` (with negative acks,
    /// sent by way of `directory`, the record's snapshot); a refused minimal dead letter or event
    /// throws `RelayHalt.outcomeUnwritable` (the relay stops: `/healthz` 503, exit 1, instead of
    /// a worker retrying forever).
    func settle(_ records: [KafkaProducerRecord], directory: Directory, now: Date) async throws {
        var queue = records
        while !queue.isEmpty {
            let refused = try await writer.writeAll(queue)
            queue = []
            for refusal in refused {
                switch refusal.step(topics: policy.topics, tiers: policy.tiers) {
                case .minimalDeadLetter:
                    logger.error(
                        "Dead letter refused by the broker; writing a minimal one",
                        metadata: [LogKey.topic: "\(refusal.record.topic)", LogKey.error: "\(refusal.error)"])
                    queue.append(DeadLetter.minimal(replacing: refusal.record, refusal: "\(refusal.error.code.name)"))
                case .deadLetterInstead(let reason):
                    logger.error("Retry refused by the broker; dead-lettering", metadata: [LogKey.error: "\(reason)"])
                    try await deadLetterInsteadOfRetry(refusal.record, reason: reason, directory: directory, now: now)
                case .halt(let reason):
                    logger.critical("Relay halted: an outcome cannot be written", metadata: [LogKey.error: "\(reason)"])
                    throw RelayHalt.outcomeUnwritable(reason)
                }
            }
        }
    }

    /// A retry record the broker refused for good, dead-lettered `exhausted` instead
    /// (`RelayPolicy.settleRefusedRetry`), then the negative acks to an authentic sender for the
    /// recipients it was pending for.
    private func deadLetterInsteadOfRetry(
        _ retry: KafkaProducerRecord, reason: String, directory: Directory, now: Date
    ) async throws {
        let settlement = policy.settleRefusedRetry(retry, reason: reason, now: now)
        settlement.decisions.forEach(report)
        try await settle(settlement.writes, directory: directory, now: now)
        let negative = sign(settlement.negativeAcks, now: now)
        try await settle(try await send(negative, directory: directory, now: now), directory: directory, now: now)
    }
}
