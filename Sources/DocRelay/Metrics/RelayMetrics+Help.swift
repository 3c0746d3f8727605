extension RelayMetrics {
    /// The `# HELP` text of every metric the relay exports, by name (docs/operations.md, "Metrics",
    /// says the same at more length). `/metrics` adds them (`MetricHelp` of DocRelayAdmin).
    public static let help: [String: String] = [
        Name.records: "Decisions the relay made, by outcome: delivered (per recipient), forwarded, retried, dead_lettered, acked.",
        Name.retries: "Records sent to a retry tier, by tier.",
        Name.deadLetters: "Records written to the dead-letter topic, by dr-error-class.",
        Name.duplicates: "Records of an out topic whose (dr-from, dr-id) the acceptance ledger knew, by kind: replay (same content, not delivered again) or conflict (other content, dead-lettered duplicate).",
        Name.endToEndLatency: "Seconds from a document's dr-created to its write into a recipient's inbox.",
        Name.processing: "Seconds the relay spent on one record, from consumed to its outcome durable.",
        Name.consumerLag: "Records behind the high watermark on this instance's partitions of a topic (agencies' out topics summed as <prefix>.out.*).",
        Name.inboxesNearRetention: "Inboxes whose oldest unread record is near the inbox's retention.",
        Name.inboxesDeletedUnread: "Inboxes in which Kafka deleted records their agency had not read.",
        Name.oldestUnreadAge: "Age in seconds of the oldest unread record of any inbox of the hub; 0 when everything is read.",
        Name.retentionCheck: "When the inboxes were last checked for unread records near their retention (Unix time).",
        Name.trustReloads: "Reloads of the trust files (SIGHUP or trust.reload-every), by outcome: reloaded or refused.",
        Name.trustReloadFailing: "1 while the last reload of the trust files was refused and older trust is in force, else 0.",
        Name.trustCRLs: "CRLs in force; 0 means revocation is not checked.",
        Name.crlNextUpdate: "The earliest nextUpdate of the CRLs in force (Unix time), 0 without a CRL.",
    ]

    /// Every metric name the relay exports.
    public static var names: [String] { help.keys.sorted() }
}
