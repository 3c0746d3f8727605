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

    /// A `trust:` mapping: the PEM files of anchors (required), intermediates and CRLs, and how
    /// often they are read again (`reload-every`).
    public static func trust(_ top: YAMLMapping, path: String) throws(ConfigurationError) -> TrustSettings {
        let trustNode = try top.node("trust", required: "the trust anchors (trust: { anchors: [ca.pem] })")
        let trust = try YAMLMapping(trustNode ?? .mapping(Node.Mapping([])), path: path, entry: nil, key: "trust", keyPrefix: "trust.",
                                    known: ["anchors", "intermediates", "crls", "reload-every"],
                                    what: "a mapping with anchors, intermediates, crls, reload-every")
        let anchors = try files(trust, "anchors", required: "at least one PEM file of trust anchors", path: path)
        guard !anchors.isEmpty else {
            throw trust.error(try trust.node("anchors", required: nil), key: "anchors", "at least one PEM file of trust anchors")
        }
        return TrustSettings(
            anchors: anchors, intermediates: try files(trust, "intermediates", required: nil, path: path),
            crls: try files(trust, "crls", required: nil, path: path), reloadEvery: try reloadInterval(trust))
    }

    /// `trust.reload-every`: a duration from 10 s to 30 days (default 1 h), or `0` for none.
    private static func reloadInterval(_ trust: YAMLMapping) throws(ConfigurationError) -> Duration? {
        guard let text = try trust.string("reload-every", required: nil, what: "a duration such as 1h, or 0") else {
            return TrustSettings.defaultReloadEvery
        }
        let range = Duration.seconds(10)...Duration.seconds(30 * 86_400)
        if text == "0" || DurationText.parse(text) == .zero { return nil }
        guard let parsed = DurationText.parse(text), range.contains(parsed) else {
            throw trust.error(try trust.node("reload-every", required: nil), key: "reload-every",
                              "a duration from 10s to 30d such as 15m or 1h, or 0 to reload only on SIGHUP, not '\(text)'")
        }
        return parsed
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

/// The `trust:` section of a relay's or agent's configuration, paths resolved.
public struct TrustSettings: Sendable, Hashable {
    /// PEM bundles of trust anchors (`trust.anchors`, at least one).
    public var anchors: [String]
    /// PEM bundles of intermediate CA certificates (`trust.intermediates`).
    public var intermediates: [String]
    /// PEM files of CRLs (`trust.crls`); none: revocation is not checked.
    public var crls: [String]
    /// How often the files are read again (`trust.reload-every`, 10 s to 30 days, default 1 h);
    /// nil (`0`): only on SIGHUP.
    public var reloadEvery: Duration?

    public static let defaultReloadEvery: Duration = .seconds(3600)

    public init(anchors: [String], intermediates: [String] = [], crls: [String] = [], reloadEvery: Duration? = defaultReloadEvery) {
        self.anchors = anchors
        self.intermediates = intermediates
        self.crls = crls
        self.reloadEvery = reloadEvery
    }
}
