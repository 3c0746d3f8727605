public import Yams

extension HubConnection {
    /// Reads a `kafka:` mapping (bootstrap, properties-file, properties, topic-prefix), as the
    /// directory's hubs and the relay's configuration write it. A properties file is resolved
    /// relative to the file being read. Returns the mapping too, for the lines of its keys.
    public static func read(
        _ node: Node, path: String, entry: String?, key: String
    ) throws(ConfigurationError) -> (HubConnection, YAMLMapping) {
        let kafka = try YAMLMapping(
            node, path: path, entry: entry, key: key, keyPrefix: key + ".",
            known: ["bootstrap", "properties-file", "properties", "topic-prefix"],
            what: "a mapping with bootstrap, and optionally properties-file, properties, topic-prefix")
        let connection = HubConnection(
            bootstrapServers: try readBootstrap(kafka),
            properties: try readProperties(kafka),
            propertiesFile: try kafka.string("properties-file", required: nil, what: "the path of a properties file")
                .map { file throws(ConfigurationError) in
                    guard !file.isEmpty else {
                        throw kafka.error(try kafka.node("properties-file", required: nil), key: "properties-file",
                                          "the path of a properties file, not an empty text")
                    }
                    return Directory.resolve(file, relativeTo: path)
                },
            topicPrefix: try kafka.string("topic-prefix", required: nil, what: "a topic prefix such as docrelay")
                ?? HubConnection.defaultTopicPrefix)
        return (connection, kafka)
    }

    /// `bootstrap: a:9092,b:9092` or a list of `host:port`.
    static func readBootstrap(_ kafka: YAMLMapping) throws(ConfigurationError) -> [String] {
        let what = "bootstrap servers: host:port, separated by commas or as a list"
        guard let node = try kafka.node("bootstrap", required: "the bootstrap servers host:port") else { return [] }
        let texts: [String]
        if case .sequence(let items) = node {
            texts = try items.map { item throws(ConfigurationError) in try kafka.text(item, key: "bootstrap", what: what) }
        } else {
            texts = [try kafka.text(node, key: "bootstrap", what: what)]
        }
        guard !texts.isEmpty else {
            throw kafka.error(node, key: "bootstrap", "at least one bootstrap server host:port, not an empty list")
        }
        let servers = texts.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { String($0).trimmingWhitespace() }
        guard !servers.isEmpty, !servers.contains(where: \.isEmpty) else {
            throw kafka.error(node, key: "bootstrap", "\(what), not an empty server in \(quoted(texts.joined(separator: ",")))")
        }
        return servers
    }

    /// `properties: { name: value }`, every value a text.
    static func readProperties(_ kafka: YAMLMapping) throws(ConfigurationError) -> [String: String] {
        guard let node = try kafka.node("properties", required: nil) else { return [:] }
        guard case .mapping(let mapping) = node else {
            throw kafka.error(node, key: "properties",
                              "a mapping of librdkafka properties to values, not \(YAMLMapping.describe(node))")
        }
        var properties: [String: String] = [:]
        for (name, value) in mapping {
            let name = try kafka.text(name, key: "properties", what: "a librdkafka property name")
            properties[name] = try kafka.text(value, key: "properties",
                                              what: "a text value for property '\(name)'")
        }
        return properties
    }
}
