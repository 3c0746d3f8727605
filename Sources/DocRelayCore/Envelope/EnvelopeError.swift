/// A record whose headers or size break the contract, with the contract's `dr-error-class`
/// (`failure`), the header at fault and what was expected:
/// `dr-to: expected recipient codes separated by commas without spaces, not '000.00.00.H58, 000.00.00.H53'`.
public struct EnvelopeError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, as written in `dr-error-class`.
    public struct Failure: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        /// Unparseable headers, a bad code, bad edXML.
        public static let malformed = Failure(rawValue: "malformed")
        /// Over the size limits.
        public static let oversize = Failure(rawValue: "oversize")

        public var description: String { rawValue }
    }

    public let failure: Failure
    /// The header at fault; `nil` for the record as a whole (its value's size).
    public let header: String?
    /// What was expected, and what was found.
    public let message: String
    /// Where in DocRelay the error was raised.
    public let file: String
    public let line: Int

    public init(
        _ failure: Failure, header: String?, _ message: String, file: String = #fileID, line: Int = #line
    ) {
        self.failure = failure
        self.header = header
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        header.map { "\($0): \(message)" } ?? message
    }

    static func malformed(_ header: String?, _ message: String, file: String = #fileID, line: Int = #line) -> EnvelopeError {
        EnvelopeError(.malformed, header: header, message, file: file, line: line)
    }

    static func oversize(_ header: String?, _ message: String, file: String = #fileID, line: Int = #line) -> EnvelopeError {
        EnvelopeError(.oversize, header: header, message, file: file, line: line)
    }
}
