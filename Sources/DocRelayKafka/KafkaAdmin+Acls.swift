internal import CRdKafka

/// One Kafka ACL allowing a principal one operation on a topic or group (by name or prefix), from
/// any host: what `kafka-acls.sh --add --allow-principal` makes.
public struct KafkaAclBinding: Sendable, Hashable, CustomStringConvertible {
    public enum ResourceType: String, Sendable, Hashable { case topic, group }
    public enum PatternType: String, Sendable, Hashable { case literal, prefixed }

    public let resourceType: ResourceType
    public let name: String
    public let patternType: PatternType
    /// `User:<name>`.
    public let principal: String
    /// As `kafka-acls.sh` spells it: `Read`, `Write`, `Describe`, `DescribeConfigs`, ...
    public let operation: String

    public init(resourceType: ResourceType, name: String, patternType: PatternType, principal: String, operation: String) {
        self.resourceType = resourceType
        self.name = name
        self.patternType = patternType
        self.principal = principal
        self.operation = operation
    }

    public var description: String {
        "allow \(principal) \(operation) on \(resourceType.rawValue) \(name)\(patternType == .prefixed ? "*" : "")"
    }

    /// librdkafka's operation for `operation`, nil for a name it does not know.
    static func librdkafkaOperation(_ operation: String) -> rd_kafka_AclOperation_t? {
        switch operation {
        case "Read": RD_KAFKA_ACL_OPERATION_READ
        case "Write": RD_KAFKA_ACL_OPERATION_WRITE
        case "Create": RD_KAFKA_ACL_OPERATION_CREATE
        case "Delete": RD_KAFKA_ACL_OPERATION_DELETE
        case "Alter": RD_KAFKA_ACL_OPERATION_ALTER
        case "Describe": RD_KAFKA_ACL_OPERATION_DESCRIBE
        case "DescribeConfigs": RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS
        case "AlterConfigs": RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS
        default: nil
        }
    }
}

extension KafkaAdmin {
    /// Creates `bindings` (CreateAcls; ACLs that exist already are not an error for Kafka). Any
    /// refusal throws, naming the first refused ACL. librdkafka 2.0's mock cluster does not
    /// implement CreateAcls: there the request fails, and this throws.
    public func createAcls(_ bindings: [KafkaAclBinding]) async throws {
        guard !bindings.isEmpty else { return }
        let client = client
        let timeout = timeout
        try await runBlocking { () throws -> Void in
            try Self.createAclsNow(bindings, client: client, timeout: timeout)
        }
    }

    private static func createAclsNow(_ bindings: [KafkaAclBinding], client: RDKafkaClient, timeout: Duration) throws {
        var handles: [OpaquePointer?] = []
        defer { for handle in handles { rd_kafka_AclBinding_destroy(handle) } }
        for binding in bindings {
            guard let operation = KafkaAclBinding.librdkafkaOperation(binding.operation) else {
                throw KafkaError.invalidConfiguration(property: nil, "ACL \(binding): unknown operation '\(binding.operation)'")
            }
            var errorText = [CChar](repeating: 0, count: 512)
            guard let handle = rd_kafka_AclBinding_new(
                binding.resourceType == .topic ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_GROUP,
                binding.name,
                binding.patternType == .literal ? RD_KAFKA_RESOURCE_PATTERN_LITERAL : RD_KAFKA_RESOURCE_PATTERN_PREFIXED,
                binding.principal, "*", operation, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, &errorText, errorText.count)
            else {
                throw KafkaError.invalidConfiguration(property: nil, "ACL \(binding): \(errorText.cString)")
            }
            handles.append(handle)
        }
        let event = try adminRequest(client: client, timeout: timeout) { options, queue in
            handles.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateAcls(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_CreateAcls_result(event),
              let results = rd_kafka_CreateAcls_result_acls(result, &count)
        else {
            throw KafkaError(code: KafkaError.Code(RD_KAFKA_RESP_ERR__FAIL), message: "CreateAcls: the cluster's answer held no result")
        }
        for index in 0..<min(count, bindings.count) {
            guard let aclResult = results[index], let error = rd_kafka_acl_result_error(aclResult) else { continue }
            throw KafkaError(
                code: KafkaError.Code(rd_kafka_error_code(error)),
                message: "cannot create ACL \(bindings[index]): \(String(cString: rd_kafka_error_string(error)))")
        }
    }
}
