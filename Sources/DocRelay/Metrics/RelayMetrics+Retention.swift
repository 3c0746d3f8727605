import Foundation
import Metrics

extension RelayMetrics {
    /// Publishes one check of the inboxes against their retention, as four gauges without
    /// labels (a hub has thousands of agencies; the agencies are named in logs and `/healthz`):
    ///
    /// - `docrelay_inboxes_near_retention`: inboxes whose oldest unread record is at least
    ///   `retention.warn-at` of the topic's retention old;
    /// - `docrelay_inboxes_deleted_unread`: inboxes whose agent's committed offset is below
    ///   the log's start (Kafka deleted records the agency had not read);
    /// - `docrelay_inbox_oldest_unread_age_seconds`: the age of the oldest unread record of any
    ///   inbox (0 when everything is read);
    /// - `docrelay_inbox_retention_check_timestamp_seconds`: when the check was made (Unix
    ///   seconds), so that a check that stopped working shows.
    public func publishRetention(_ summary: RetentionSummary) {
        Gauge(label: Name.inboxesNearRetention, factory: factory).record(summary.near.count)
        Gauge(label: Name.inboxesDeletedUnread, factory: factory).record(summary.deletedUnread.count)
        let age = summary.oldestUnreadAge.components
        Gauge(label: Name.oldestUnreadAge, factory: factory)
            .record(Double(age.seconds) + Double(age.attoseconds) / 1e18)
        Gauge(label: Name.retentionCheck, factory: factory).record(summary.checkedAt.timeIntervalSince1970)
    }
}
