/// An edXML document DocRelay cannot read, saying what is wrong: `not XML: tag name mismatch at
/// line 12`, `no MessageHeader`, `no From/OrganId`.
public struct EdXMLError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// The line in the document, when known (1-based).
    public let line: Int?
    /// Where in DocRelay the error was raised.
    public let sourceFile: String
    public let sourceLine: Int

    public init(_ message: String, line: Int? = nil, sourceFile: String = #fileID, sourceLine: Int = #line) {
        self.message = message
        self.line = line
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }

    public var description: String {
        line.map { "\(message) at line \($0)" } ?? message
    }
}
