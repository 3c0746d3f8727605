import Yams

/// The keys of one YAML mapping of the directory file, checked against the keys allowed there,
/// with typed accessors whose errors name the file, line, entry and key.
struct YAMLFields {
    let path: String
    /// The entry being read, e.g. `agencies[3] (000.00.00.G22)`; `nil` at the top level.
    var entry: String?
    /// Prefix of key names in errors, e.g. `kafka.` inside a hub's `kafka` mapping.
    let keyPrefix: String
    /// The mapping's own line.
    let line: Int?
    private var values: [String: Node] = [:]

    /// Reads `node` as a mapping whose keys are all among `known`.
    init(
        _ node: Node, path: String, entry: String?, key: String?, keyPrefix: String = "", known: [String],
        what: String
    ) throws(DirectoryError) {
        self.path = path
        self.entry = entry
        self.keyPrefix = keyPrefix
        self.line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw DirectoryError(path: path, line: node.mark?.line, entry: entry, key: key,
                                 expected: "\(what), not \(Self.describe(node))")
        }
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !Self.isNull(scalar) else {
                throw DirectoryError(path: path, line: keyNode.mark?.line, entry: entry, key: key,
                                     expected: "keys that are names (\(known.joined(separator: ", "))), "
                                         + "not \(Self.describe(keyNode))")
            }
            guard known.contains(scalar.string) else {
                throw DirectoryError(path: path, line: keyNode.mark?.line, entry: entry,
                                     key: keyPrefix + scalar.string,
                                     expected: "one of the known keys (\(known.joined(separator: ", "))): "
                                         + "this key is not one")
            }
            values[scalar.string] = value
        }
    }

    /// The line of the value of `key`, if given.
    func line(of key: String) -> Int? { values[key]?.mark?.line }

    /// Whether `key` is given (a null value counts as given).
    func has(_ key: String) -> Bool { values[key] != nil }

    /// The node of `key`; throws when required and missing.
    func node(_ key: String, required: String?) throws(DirectoryError) -> Node? {
        if let node = values[key] { return node }
        if let required {
            throw DirectoryError(path: path, line: line, entry: entry, key: keyPrefix + key,
                                 expected: "\(required) (the key is required)")
        }
        return nil
    }

    /// The text of `key`: a scalar other than null, as written.
    func string(_ key: String, required: String?, what: String) throws(DirectoryError) -> String? {
        guard let node = try node(key, required: required) else { return nil }
        return try text(node, key: key, what: what)
    }

    /// `node` as text: a scalar other than null, as written.
    func text(_ node: Node, key: String, what: String) throws(DirectoryError) -> String {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            throw error(node, key: key, "\(what), not \(Self.describe(node))")
        }
        return scalar.string
    }

    /// The text of a required `key`.
    func requiredString(_ key: String, required: String, what: String) throws(DirectoryError) -> String {
        guard let node = try node(key, required: required) else {
            throw DirectoryError(path: path, line: line, entry: entry, key: keyPrefix + key,
                                 expected: "\(required) (the key is required)")
        }
        return try text(node, key: key, what: what)
    }

    /// The items of `key` as a list.
    func list(_ key: String, required: String?, what: String) throws(DirectoryError) -> [Node]? {
        guard let node = try node(key, required: required) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw error(node, key: key, "\(what), not \(Self.describe(node))")
        }
        return Array(sequence)
    }

    /// An error about the value `node` of `key`.
    func error(_ node: Node?, key: String?, _ expected: String) -> DirectoryError {
        DirectoryError(path: path, line: node?.mark?.line ?? line, entry: entry,
                       key: key.map { keyPrefix + $0 }, expected: expected)
    }

    // MARK: Node kinds

    /// A plain `~`, `null` or empty scalar.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What a node is, for "expected X, not Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "nothing (null)" : quoted(scalar.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
