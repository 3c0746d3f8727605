/// A configuration file (the directory, a relay's or agent's configuration) that cannot be
/// used, naming where and what was expected:
/// `dir.yaml:14: agencies[3] (000.00.00.G22): key 'hub': expected one of the declared hubs
/// (national, h58), not 'h99'`.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file as it was named to DocRelay (`(in memory)` for a directory built in code).
    public let path: String
    /// The line in the file, when known (1-based).
    public let line: Int?
    /// The entry at fault, e.g. `agencies[3] (000.00.00.G22)` or `hubs[1] (h58)`.
    public let entry: String?
    /// The key at fault, e.g. `hub`.
    public let key: String?
    /// What was expected instead, and what was found.
    public let expected: String
    /// Where in DocRelay the error was raised.
    public let sourceFile: String
    public let sourceLine: Int

    public init(
        path: String, line: Int? = nil, entry: String? = nil, key: String? = nil, expected: String,
        sourceFile: String = #fileID, sourceLine: Int = #line
    ) {
        self.path = path
        self.line = line
        self.entry = entry
        self.key = key
        self.expected = expected
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": "
        if let entry { text += "\(entry): " }
        if let key { text += "key '\(key)': " }
        return text + "expected " + expected
    }
}
