public import Yams

/// The keys of one YAML mapping of a configuration file (the directory, a relay's or an
/// agent's configuration), checked against the keys allowed there, with typed accessors whose
/// errors name the file, line, entry and key.
public struct YAMLMapping {
    public let path: String
    /// The entry being read, e.g. `agencies[3] (000.00.00.G22)`; `nil` at the top level.
    public var entry: String?
    /// Prefix of key names in errors, e.g. `kafka.` inside a hub's `kafka` mapping.
    public let keyPrefix: String
    /// The mapping's own line.
    public let line: Int?
    private var values: [String: Node] = [:]

    /// Reads `node` as a mapping whose keys are all among `known`.
    public init(
        _ node: Node, path: String, entry: String?, key: String?, keyPrefix: String = "", known: [String],
        what: String
    ) throws(ConfigurationError) {
        self.path = path
        self.entry = entry
        self.keyPrefix = keyPrefix
        self.line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(path: path, line: node.mark?.line, entry: entry, key: key,
                                 expected: "\(what), not \(Self.describe(node))")
        }
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !Self.isNull(scalar) else {
                throw ConfigurationError(path: path, line: keyNode.mark?.line, entry: entry, key: key,
                                     expected: "keys that are names (\(known.joined(separator: ", "))), "
                                         + "not \(Self.describe(keyNode))")
            }
            guard known.contains(scalar.string) else {
                throw ConfigurationError(path: path, line: keyNode.mark?.line, entry: entry,
                                     key: keyPrefix + scalar.string,
                                     expected: "one of the known keys (\(known.joined(separator: ", "))): "
                                         + "this key is not one")
            }
            values[scalar.string] = value
        }
    }

    /// The line of the value of `key`, if given.
    public func line(of key: String) -> Int? { values[key]?.mark?.line }

    /// Whether `key` is given (a null value counts as given).
    public func has(_ key: String) -> Bool { values[key] != nil }

    /// The node of `key`; throws when required and missing.
    public func node(_ key: String, required: String?) throws(ConfigurationError) -> Node? {
        if let node = values[key] { return node }
        if let required {
            throw ConfigurationError(path: path, line: line, entry: entry, key: keyPrefix + key,
                                 expected: "\(required) (the key is required)")
        }
        return nil
    }

    /// The text of `key`: a scalar other than null, as written.
    public func string(_ key: String, required: String?, what: String) throws(ConfigurationError) -> String? {
        guard let node = try node(key, required: required) else { return nil }
        return try text(node, key: key, what: what)
    }

    /// `node` as text: a scalar other than null, as written.
    public func text(_ node: Node, key: String, what: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            throw error(node, key: key, "\(what), not \(Self.describe(node))")
        }
        return scalar.string
    }

    /// The text of a required `key`.
    public func requiredString(_ key: String, required: String, what: String) throws(ConfigurationError) -> String {
        guard let node = try node(key, required: required) else {
            throw ConfigurationError(path: path, line: line, entry: entry, key: keyPrefix + key,
                                 expected: "\(required) (the key is required)")
        }
        return try text(node, key: key, what: what)
    }

    /// The items of `key` as a list.
    public func list(_ key: String, required: String?, what: String) throws(ConfigurationError) -> [Node]? {
        guard let node = try node(key, required: required) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw error(node, key: key, "\(what), not \(Self.describe(node))")
        }
        return Array(sequence)
    }

    /// An error about the value `node` of `key`.
    public func error(_ node: Node?, key: String?, _ expected: String) -> ConfigurationError {
        ConfigurationError(path: path, line: node?.mark?.line ?? line, entry: entry,
                       key: key.map { keyPrefix + $0 }, expected: expected)
    }

    // MARK: Node kinds

    /// A plain `~`, `null` or empty scalar.
    public static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What a node is, for "expected X, not Y".
    public static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "nothing (null)" : quoted(scalar.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    // MARK: Documents

    /// The root node of `yaml` (nil for an empty document), or an error naming the line of a
    /// syntax error.
    public static func document(_ yaml: String, path: String) throws(ConfigurationError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        } catch {
            throw ConfigurationError(path: path, expected: "well-formed YAML (\(error))")
        }
    }

    private static func yamlError(_ error: YamlError, path: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " \($0.text) from line \($0.mark.line)" } ?? ""
            return ConfigurationError(path: path, line: mark.line,
                                  expected: "well-formed YAML: \(problem) at column \(mark.column)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigurationError(path: path, line: context.mark.line,
                                  expected: "each key once in a mapping, not \(duplicates.map { quoted($0) }.joined(separator: ", ")) repeated")
        case .reader(let problem, _, _, _):
            return ConfigurationError(path: path, expected: "readable YAML text: \(problem)")
        default:
            return ConfigurationError(path: path, expected: "well-formed YAML (\(error))")
        }
    }
}
