/// A librdkafka properties file, as Kafka tools write it: `name=value` per line, `#` or `!`
/// comments, blank lines ignored (the format of `kcat -F` and Java clients' `.properties`).
public enum KafkaPropertiesFile {
    /// A line that is not `name=value`, or a name given twice.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let key: String?
        public let expected: String

        public var description: String {
            "\(path):\(line)\(key.map { ": key '\($0)'" } ?? ""): expected \(expected)"
        }
    }

    /// The properties of `text`, read from `path` (named in errors).
    public static func parse(_ text: String, path: String) throws(ParseError) -> [String: String] {
        var properties: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(path: path, line: index + 1, key: nil, expected: "name=value")
            }
            let name = String(line[..<equals]).trimmingWhitespace()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw ParseError(path: path, line: index + 1, key: nil, expected: "a property name before '='")
            }
            guard properties[name] == nil else {
                throw ParseError(path: path, line: index + 1, key: name, expected: "each property once")
            }
            properties[name] = value
        }
        return properties
    }

    /// Checks every property with librdkafka (names and values; files such as certificates are
    /// opened only when a client starts). Throws the `KafkaError` naming the first bad one.
    public static func validate(_ properties: [String: String]) throws(KafkaError) {
        _ = try RDKafkaConfig(properties: properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}
