/// The contract's rule for edXML values: the MessageHeader's From and To agree with `dr-from`
/// and `dr-to`, so no agency can address one recipient in the headers and another in the document.
public enum EdXMLConsistency {
    /// Throws unless `From/OrganId` equals `from` and the set of `To/OrganId` equals the set of
    /// `to`. A status that names no `To` is for the sender of the document it answers:
    /// `ResponseFor/OrganId` stands for its To.
    public static func check(_ header: EdXMLHeader, from: String, to: [String]) throws(EdXMLConsistencyError) {
        guard let edxmlFrom = header.from else {
            throw EdXMLConsistencyError(field: "From", "the edXML names no sender (no From/OrganId); dr-from is \(quoted(from))")
        }
        guard edxmlFrom == from else {
            throw EdXMLConsistencyError(
                field: "From", "edXML From/OrganId \(quoted(edxmlFrom)) disagrees with dr-from \(quoted(from))")
        }
        let recipients = header.recipients
        let source = header.to.isEmpty && header.kind == .status ? "ResponseFor/OrganId" : "To/OrganId"
        guard !recipients.isEmpty else {
            throw EdXMLConsistencyError(field: "To", "the edXML names no recipient (no To/OrganId)")
        }
        let inDocument = Set(recipients)
        let inHeaders = Set(to)
        guard inDocument == inHeaders else {
            var parts: [String] = []
            let missing = inDocument.subtracting(inHeaders).sorted().map { quoted($0) }
            let extra = inHeaders.subtracting(inDocument).sorted().map { quoted($0) }
            if !missing.isEmpty { parts.append("in the edXML but not in dr-to: \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("in dr-to but not in the edXML: \(extra.joined(separator: ", "))") }
            throw EdXMLConsistencyError(
                field: "To", "edXML \(source) disagrees with dr-to (\(parts.joined(separator: "; ")))")
        }
    }
}

/// An edXML document whose sender or recipients disagree with the record's headers.
public struct EdXMLConsistencyError: Error, Sendable, CustomStringConvertible {
    /// `From` or `To`.
    public let field: String
    /// The disagreement, naming both sides.
    public let message: String
    /// Where in DocRelay the error was raised.
    public let file: String
    public let line: Int

    public init(field: String, _ message: String, file: String = #fileID, line: Int = #line) {
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
