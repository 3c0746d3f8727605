internal import CRdKafka

extension KafkaAdmin {
    /// The configuration in force of each of `topics` (every entry, overrides and defaults), by
    /// topic name.
    ///
    /// - Throws: a topic the cluster refuses to describe (unknown, not authorised) throws,
    ///   naming it. librdkafka sends the request to the controller, which the embedded cluster
    ///   does not name: there it throws `_TIMED_OUT` after the admin's timeout (as CreateTopics).
    public func describeTopicConfigs(_ topics: [String]) async throws -> [String: [KafkaTopicConfigEntry]] {
        guard !topics.isEmpty else { return [:] }
        let client = client
        let timeout = timeout
        return try await runBlocking { () throws -> [String: [KafkaTopicConfigEntry]] in
            try Self.describeTopicConfigsNow(topics, client: client, timeout: timeout)
        }
    }

    /// Changes settings of existing topics (`changes`: by topic, name to value), keeping every
    /// other setting each topic overrides (see `KafkaTopicConfigEntry.overrides`): a
    /// DescribeConfigs, then one AlterConfigs.
    ///
    /// - Returns: the topics whose change the cluster refused, with why (empty: all changed).
    /// - Throws: when the cluster cannot be asked at all, or a topic cannot be described.
    public func alterTopicConfigs(_ changes: [String: [String: String]]) async throws -> [String: KafkaError] {
        guard !changes.isEmpty else { return [:] }
        let current = try await describeTopicConfigs(changes.keys.sorted())
        var requests: [(String, [String: String])] = []
        var failures: [String: KafkaError] = [:]
        for (topic, change) in changes.sorted(by: { $0.key < $1.key }) {
            do {
                requests.append((topic, try KafkaTopicConfigEntry.overrides(keeping: current[topic] ?? [], changing: change, topic: topic)))
            } catch {
                failures[topic] = error
            }
        }
        guard !requests.isEmpty else { return failures }
        let client = client
        let timeout = timeout
        let sent = requests
        let refused = try await runBlocking { () throws -> [String: KafkaError] in
            try Self.alterTopicConfigsNow(sent, client: client, timeout: timeout)
        }
        return failures.merging(refused) { first, _ in first }
    }

    // MARK: Blocking parts

    private static func describeTopicConfigsNow(
        _ topics: [String], client: RDKafkaClient, timeout: Duration
    ) throws -> [String: [KafkaTopicConfigEntry]] {
        var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
        defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
        let event = try adminRequest(client: client, timeout: timeout) { options, queue in
            resources.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConfigs(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_DescribeConfigs_result(event),
              let described = rd_kafka_DescribeConfigs_result_resources(result, &count)
        else { return [:] }
        var configs: [String: [KafkaTopicConfigEntry]] = [:]
        for index in 0..<count {
            guard let resource = described[index] else { continue }
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            let code = KafkaError.Code(rd_kafka_ConfigResource_error(resource))
            guard code == .noError else {
                let text = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? code.explanation
                throw KafkaError(code: code, message: "cannot describe the settings of topic \(name): \(text)")
            }
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) else {
                configs[name] = []
                continue
            }
            configs[name] = (0..<entryCount).compactMap { position -> KafkaTopicConfigEntry? in
                guard let entry = entries[position] else { return nil }
                return KafkaTopicConfigEntry(
                    name: String(cString: rd_kafka_ConfigEntry_name(entry)),
                    value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                    isTopicOverride: rd_kafka_ConfigEntry_source(entry) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG,
                    isSensitive: rd_kafka_ConfigEntry_is_sensitive(entry) == 1,
                    isReadOnly: rd_kafka_ConfigEntry_is_read_only(entry) == 1)
            }
        }
        return configs
    }

    private static func alterTopicConfigsNow(
        _ requests: [(topic: String, settings: [String: String])], client: RDKafkaClient, timeout: Duration
    ) throws -> [String: KafkaError] {
        var resources: [OpaquePointer?] = []
        defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
        for request in requests {
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, request.topic)
            resources.append(resource)
            for (name, value) in request.settings.sorted(by: { $0.key < $1.key }) {
                guard rd_kafka_ConfigResource_set_config(resource, name, value) == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.invalidConfiguration(property: name, "topic \(request.topic): setting \(name)=\(value) refused")
                }
            }
        }
        let event = try adminRequest(client: client, timeout: timeout) { options, queue in
            resources.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_AlterConfigs(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_AlterConfigs_result(event),
              let altered = rd_kafka_AlterConfigs_result_resources(result, &count)
        else { return [:] }
        var refused: [String: KafkaError] = [:]
        for index in 0..<count {
            guard let resource = altered[index] else { continue }
            let code = KafkaError.Code(rd_kafka_ConfigResource_error(resource))
            guard code != .noError else { continue }
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            let text = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? code.explanation
            refused[name] = KafkaError(code: code, message: "cannot change the settings of topic \(name): \(text)")
        }
        return refused
    }
}
