/// What a record carries (`dr-kind`): a document, an agency's business status about one, or a
/// hub's transport acknowledgement.
public enum DocumentKind: String, Sendable, Hashable, CaseIterable {
    /// An official document (edXML, PDF, JSON...).
    case edoc
    /// A recipient agency's processing state of a document (edXML status codes).
    case status
    /// A hub's acknowledgement that a document was delivered or dead-lettered.
    case ack
}
