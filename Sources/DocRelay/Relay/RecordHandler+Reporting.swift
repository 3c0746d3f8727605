import DocRelayCore
import Foundation
import Logging

extension RecordHandler {
    /// Counts `decision` (`RelayMetrics`) and logs it: retries at notice, dead letters at
    /// warning with the document id, class and reason (refusals with the topic read too).
    func report(_ decision: RelayDecision) {
        switch decision {
        case .delivered(_, let created):
            metrics.recordOutcome(.delivered)
            metrics.endToEndLatency(.milliseconds(Int64(max(Date().timeIntervalSince(created), 0) * 1000)))
        case .forwarded:
            metrics.recordOutcome(.forwarded)
        case .retried(let tier, let id, let reason):
            metrics.recordOutcome(.retried)
            metrics.retried(tier: tier)
            logger.notice(
                "Delivery failed; retrying later",
                metadata: [LogKey.documentID: "\(id)", LogKey.retryTier: "\(tier)", LogKey.error: "\(reason)"])
        case .deadLettered(let errorClass, let id, let reason, _):
            metrics.recordOutcome(.deadLettered)
            metrics.deadLettered(errorClass: errorClass)
            logger.warning(
                "Dead-lettered",
                metadata: [LogKey.documentID: "\(id)", LogKey.errorClass: "\(errorClass)", LogKey.error: "\(reason)"])
        case .duplicate(let id, let from, let firstAccepted, let first, let topic):
            metrics.duplicate(.replay)
            logger.info(
                "Not delivered again: a replay of a record accepted before",
                metadata: [
                    LogKey.documentID: "\(id)", LogKey.agency: "\(from)", LogKey.topic: "\(topic)",
                    LogKey.firstAccepted: "\(firstAccepted)", LogKey.firstLocation: "\(first)",
                ])
        case .refused(let errorClass, let id, let reason, let topic, _):
            if errorClass == .duplicate { metrics.duplicate(.conflict) }
            metrics.recordOutcome(.deadLettered)
            metrics.deadLettered(errorClass: errorClass)
            logger.warning(
                "Refused and dead-lettered",
                metadata: [
                    LogKey.documentID: "\(id)", LogKey.errorClass: "\(errorClass)", LogKey.error: "\(reason)",
                    LogKey.topic: "\(topic)",
                ])
        case .acked:
            metrics.recordOutcome(.acked)
        case .ackRetried(let tier):
            metrics.recordOutcome(.retried)
            metrics.retried(tier: tier)
        }
    }
}
