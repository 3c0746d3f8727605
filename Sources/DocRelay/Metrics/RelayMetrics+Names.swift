extension RelayMetrics {
    /// The metric names, as Prometheus shows them.
    public enum Name {
        public static let records = "docrelay_records_total"
        public static let retries = "docrelay_retries_total"
        public static let deadLetters = "docrelay_dead_letters_total"
        public static let duplicates = "docrelay_duplicates_total"
        public static let endToEndLatency = "docrelay_end_to_end_latency_seconds"
        public static let processing = "docrelay_processing_seconds"
        public static let consumerLag = "docrelay_consumer_lag"
        public static let inboxesNearRetention = "docrelay_inboxes_near_retention"
        public static let inboxesDeletedUnread = "docrelay_inboxes_deleted_unread"
        public static let oldestUnreadAge = "docrelay_inbox_oldest_unread_age_seconds"
        public static let retentionCheck = "docrelay_inbox_retention_check_timestamp_seconds"
        public static let trustReloads = "docrelay_trust_reloads_total"
        public static let trustReloadFailing = "docrelay_trust_reload_failing"
        public static let trustCRLs = "docrelay_trust_crls"
        public static let crlNextUpdate = "docrelay_crl_next_update_timestamp_seconds"
    }

    /// The label names.
    public enum Label {
        public static let outcome = "outcome"
        public static let tier = "tier"
        public static let errorClass = "class"
        public static let group = "group"
        public static let topic = "topic"
        public static let kind = "kind"
    }

    /// Histogram buckets of the end-to-end latency: 5 ms to 5 min (a record may wait in retry tiers).
    public static let endToEndLatencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300),
    ]

    /// Histogram buckets of the processing time: 0.5 ms (a cached verification) to 30 s (the
    /// longest attempt timeout worth telling apart).
    public static let processingBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    /// Buckets by timer name, for the backend's bootstrap (`MetricsBootstrap.prometheus(timerBuckets:)`).
    public static var timerBuckets: [String: [Duration]] {
        [Name.endToEndLatency: endToEndLatencyBuckets, Name.processing: processingBuckets]
    }
}
