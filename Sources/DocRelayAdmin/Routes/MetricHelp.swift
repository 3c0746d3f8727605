/// `# HELP` lines for the Prometheus text exposition.
///
/// swift-prometheus's swift-metrics factory registers every metric with an empty help text, and
/// its registry refuses (stops the process) to register a name again with another: so the help
/// texts are added where the text is rendered, each before its metric's `# TYPE` line.
public struct MetricHelp: Sendable {
    /// Help text by metric name (as Prometheus shows it, e.g. `docrelay_records_total`).
    public let texts: [String: String]

    /// - Parameter texts: help text by metric name; a metric without one is rendered without HELP
    ///   (which `promtool check metrics` reports).
    public init(_ texts: [String: String] = [:]) {
        self.texts = texts
    }

    /// `exposition` with a `# HELP` line before each `# TYPE` line whose metric has a help text
    /// here and none in `exposition` already.
    public func adding(to exposition: [UInt8]) -> [UInt8] {
        guard !texts.isEmpty else { return exposition }
        var output: [UInt8] = []
        output.reserveCapacity(exposition.count + texts.count * 96)
        var previous: ArraySlice<UInt8> = []
        for line in exposition.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if let name = Self.typedName(line), !Self.isHelp(previous, of: name), let text = texts[name] {
                output.append(contentsOf: Array("# HELP \(name) \(Self.escaped(text))\n".utf8))
            }
            output.append(contentsOf: line)
            output.append(UInt8(ascii: "\n"))
            previous = line
        }
        // split keeps a last empty piece after the final newline: do not add one more.
        if exposition.last == UInt8(ascii: "\n") || exposition.isEmpty { output.removeLast() }
        return output
    }

    /// The metric name of a `# TYPE <name> <type>` line.
    static func typedName(_ line: ArraySlice<UInt8>) -> String? {
        let prefix = Array("# TYPE ".utf8)
        guard line.starts(with: prefix) else { return nil }
        let rest = line.dropFirst(prefix.count)
        guard let end = rest.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        return String(decoding: rest[..<end], as: UTF8.self)
    }

    static func isHelp(_ line: ArraySlice<UInt8>, of name: String) -> Bool {
        line.starts(with: Array("# HELP \(name) ".utf8))
    }

    /// Backslash and line feed escaped, as the text format wants in HELP.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
