/// Consumer groups the contract names, beside the topics.
public enum ConsumerGroupNames {
    /// The consumer group of an agency's agent daemon: `docrelay-agent-<code>`.
    public static func agent(_ code: String) -> String { "docrelay-agent-\(code)" }
}
