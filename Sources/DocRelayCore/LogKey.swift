/// Metadata keys of DocRelay's log messages, named once.
public enum LogKey {
    public static let documentID = "docrelay.document.id"
    public static let agency = "docrelay.agency"
    public static let hub = "docrelay.hub"
    public static let hubs = "docrelay.directory.hubs"
    public static let agencies = "docrelay.directory.agencies"
    public static let errorClass = "docrelay.error.class"
    public static let error = "docrelay.error"
    public static let topic = "docrelay.kafka.topic"
    public static let partition = "docrelay.kafka.partition"
    public static let retryTier = "docrelay.retry.tier"
    public static let instance = "docrelay.instance"
    /// A topic's retention (`30d`, `forever`).
    public static let retention = "docrelay.retention"
    /// Unread records of an inbox still in its log.
    public static let inboxUnread = "docrelay.inbox.unread"
    /// The age of an inbox's oldest unread record (`25d 4h`).
    public static let inboxOldestUnreadAge = "docrelay.inbox.oldest-unread-age"
    /// Records of an inbox deleted before the agency read them.
    public static let inboxDeletedUnread = "docrelay.inbox.deleted-unread"
    /// Inboxes that could not be checked.
    public static let inboxesFailed = "docrelay.inboxes.failed"
    /// What made the trust be read again: `SIGHUP` or `schedule`.
    public static let trustTrigger = "docrelay.trust.trigger"
    /// How many CRLs, anchors are in force.
    public static let trustCRLs = "docrelay.trust.crls"
    public static let trustAnchors = "docrelay.trust.anchors"
    /// A CRL's issuer (RFC 2253), file and nextUpdate (RFC 3339).
    public static let crlIssuer = "docrelay.crl.issuer"
    public static let crlFile = "docrelay.crl.file"
    public static let crlNextUpdate = "docrelay.crl.next-update"
    /// When the first record of a transport identity was accepted (the acceptance ledger).
    public static let firstAccepted = "docrelay.ledger.first-accepted"
    /// Where the first record of a transport identity was read (`<topic>/<partition>/<offset>`).
    public static let firstLocation = "docrelay.ledger.first-location"
    /// How many identities the acceptance ledger holds in memory.
    public static let ledgerEntries = "docrelay.ledger.entries"
}
