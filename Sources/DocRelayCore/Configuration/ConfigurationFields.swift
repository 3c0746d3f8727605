import Foundation
public import Yams

/// Typed fields of DocRelay's configuration files (a relay's `hub.yaml`, an agent's
/// `agency.yaml`): each error names the file, line, key and what was expected.
public enum ConfigurationFields {
    /// The root mapping of the configuration file at `path`, its keys among `known`; `what`
    /// names the kind of file ("a relay configuration").
    public static func readTop(
        _ path: String, known: [String], what: String
    ) throws(ConfigurationError) -> YAMLMapping {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(path: path, expected: "a readable \(what) file (\(error.localizedDescription))")
        }
        return try top(text, path: path, known: known, what: what)
    }

    /// The root mapping of `yaml`, its keys among `known`.
    public static func top(_ yaml: String, path: String, known: [String], what: String) throws(ConfigurationError) -> YAMLMapping {
        guard let document = try YAMLMapping.document(yaml, path: path) else {
            throw ConfigurationError(path: path, expected: "\(what) (\(known.joined(separator: ", "))), not an empty file")
        }
        return try YAMLMapping(document, path: path, entry: nil, key: nil, known: known,
                               what: "a mapping with the keys \(known.joined(separator: ", "))")
    }

    /// The PEM files of a `trust:` mapping (anchors required; intermediates and CRLs optional).
    public static func trust(
        _ top: YAMLMapping, path: String
    ) throws(ConfigurationError) -> (anchors: [String], intermediates: [String], crls: [String]) {
        let trustNode = try top.node("trust", required: "the trust anchors (trust: { anchors: [ca.pem] })")
        let trust = try YAMLMapping(trustNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "trust", keyPrefix: "trust.",
                                    known: ["anchors", "intermediates", "crls"], what: "a mapping with anchors, intermediates, crls")
        let anchors = try files(trust, "anchors", required: "at least one PEM file of trust anchors", path: path)
        guard !anchors.isEmpty else {
            throw trust.error(try trust.node("anchors", required: nil), key: "anchors", "at least one PEM file of trust anchors")
        }
        return (anchors, try files(trust, "intermediates", required: nil, path: path), try files(trust, "crls", required: nil, path: path))
    }

    /// The certificate and key files of an `identity:` mapping; `owner` says whose ("the hub's").
    public static func identity(
        _ top: YAMLMapping, path: String, owner: String
    ) throws(ConfigurationError) -> (certificate: String, key: String) {
        let identityNode = try top.node("identity", required: "\(owner) certificate and key (identity: { certificate, key })")
        let identity = try YAMLMapping(identityNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "identity", keyPrefix: "identity.",
                                       known: ["certificate", "key"], what: "a mapping with certificate and key")
        return (try file(identity, "certificate", required: "\(owner) certificate (PEM)", path: path),
                try file(identity, "key", required: "\(owner) private key (PEM)", path: path))
    }


    public static func file(_ fields: YAMLMapping, _ key: String, required: String, path: String) throws(ConfigurationError) -> String {
        let text = try fields.requiredString(key, required: required, what: "a file path")
        guard !text.isEmpty else { throw fields.error(try fields.node(key, required: nil), key: key, "a file path, not an empty text") }
        return Directory.resolve(text, relativeTo: path)
    }

    public static func files(_ fields: YAMLMapping, _ key: String, required: String?, path: String) throws(ConfigurationError) -> [String] {
        guard let nodes = try fields.list(key, required: required, what: "a list of file paths") else { return [] }
        return try nodes.map { node throws(ConfigurationError) in
            Directory.resolve(try fields.text(node, key: key, what: "a file path"), relativeTo: path)
        }
    }

    public static func duration(
        _ fields: YAMLMapping, _ key: String, default value: Duration, range: ClosedRange<Duration>
    ) throws(ConfigurationError) -> Duration {
        guard let text = try fields.string(key, required: nil, what: "a duration such as 45s") else { return value }
        guard let parsed = DurationText.parse(text), range.contains(parsed) else {
            throw fields.error(try fields.node(key, required: nil), key: key,
                               "a duration from \(range.lowerBound) to \(range.upperBound) such as 45s, 10m or 24h, not '\(text)'")
        }
        return parsed
    }

    public static func integer(_ fields: YAMLMapping, _ key: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = try fields.string(key, required: nil, what: "a whole number") else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw fields.error(try fields.node(key, required: nil), key: key,
                               "a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return parsed
    }

    public static func address(_ text: String, _ fields: YAMLMapping) throws(ConfigurationError) -> ListenAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65_535).contains(port), colon != text.startIndex
        else {
            throw fields.error(try fields.node("listen", required: nil), key: "listen", "host:port such as 127.0.0.1:9480, not '\(text)'")
        }
        return ListenAddress(host: String(text[..<colon]), port: port)
    }
}
