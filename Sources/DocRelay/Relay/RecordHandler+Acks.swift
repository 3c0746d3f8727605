import DocRelayCore
import DocRelayKafka
import Foundation
import Logging

extension RecordHandler {
    /// Signs the acks `requests` ask for, with the hub's certificate, at `now`. An ack that
    /// cannot be signed is logged (error) and left out.
    func sign(_ requests: [AckRequest], now: Date) -> [OutgoingAck] {
        requests.compactMap { request in
            do {
                let record = try acks.ack(
                    for: request.document, recipient: request.recipient, outcome: request.outcome, reason: request.reason,
                    at: now)
                return OutgoingAck(record: record, ref: request.document.id, recipient: request.recipient, sender: request.document.from)
            } catch {
                logger.error("Cannot sign an ack", metadata: [LogKey.documentID: "\(request.document.id)", LogKey.error: "\(error)"])
                return nil
            }
        }
    }

    /// Sends acks to their senders (here or toward their hub, by `directory`, the record's
    /// snapshot), after what they acknowledge is durable. An ack whose inbox cannot be written
    /// to goes through the retry tiers like any record (it is signed by this hub, which the
    /// directory binds). Returns the events and retry records to write (`RelayPolicy.settleAcks`).
    func send(_ acks: [OutgoingAck], directory: Directory, now: Date) async throws -> [KafkaProducerRecord] {
        guard !acks.isEmpty else { return [] }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Result<KafkaDeliveryReport, ForwardFailure>).self) { group in
            for (index, ack) in acks.enumerated() {
                group.addTask { (index, try await deliver(ack, directory: directory, now: now)) }
            }
            var outcomes: [Int: Result<KafkaDeliveryReport, ForwardFailure>] = [:]
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        let settlement = policy.settleAcks(acks, outcomes: outcomes, now: now)
        settlement.decisions.forEach(report)
        return settlement.writes
    }

    /// One ack, the way `RelayPolicy.way(of:in:now:)` says.
    private func deliver(_ ack: OutgoingAck, directory: Directory, now: Date) async throws -> Result<KafkaDeliveryReport, ForwardFailure> {
        switch policy.way(of: ack, in: directory, now: now) {
        case .forward(let hub, let record):
            return try await Self.forward(record, to: hub, over: neighbours)
        case .unroutable(let failure):
            return .failure(failure)
        case .inbox(let record):
            return try await writer.attempt(record).mapError { ForwardFailure(hub: policy.hubID, reason: "\(record.topic): \($0)") }
        }
    }
}
