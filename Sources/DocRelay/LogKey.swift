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
}
