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
}
