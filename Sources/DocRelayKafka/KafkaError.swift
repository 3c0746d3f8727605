/// An error from the Kafka layer: a librdkafka error code, what it means here, and where it arose.
///
/// `isRetriable` tells a caller whether the same operation may succeed later (a broker that is
/// down, a timeout, a topic not created yet); `isFatal` that this client can do nothing more and
/// must be recreated. Codes are librdkafka's, so callers never import the C module.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a librdkafka error code (`rd_kafka_resp_err_t`).
    public let code: Code
    /// A readable explanation, with the librdkafka text where there is one.
    public let message: String
    /// For configuration errors: the librdkafka property at fault (e.g. `acks`).
    public let property: String?
    /// Whether the same operation may succeed if tried again later.
    public let isRetriable: Bool
    /// Whether the client that raised it is unusable from now on.
    public let isFatal: Bool
    /// For a failed send: whether the record may nevertheless have been written.
    public let possiblyPersisted: Bool
    /// Where in DocRelay the error was raised.
    public let file: String
    public let line: Int

    init(
        code: Code,
        message: String,
        property: String? = nil,
        isRetriable: Bool? = nil,
        isFatal: Bool = false,
        possiblyPersisted: Bool = false,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.property = property
        self.isRetriable = isRetriable ?? code.isRetriable
        self.isFatal = isFatal || code == .fatal
        self.possiblyPersisted = possiblyPersisted
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "\(code.name): \(message)"
        if isFatal { text += " (fatal)" } else if isRetriable { text += " (retriable)" }
        return text
    }
}

extension KafkaError {
    /// A configuration property librdkafka does not know, or a value it refuses.
    static func invalidConfiguration(
        property: String?, _ message: String, file: String = #fileID, line: Int = #line
    ) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message, property: property,
                   isRetriable: false, file: file, line: line)
    }

    /// The client was closed before or during the operation.
    static func closed(_ what: String, file: String = #fileID, line: Int = #line) -> KafkaError {
        KafkaError(code: .destroyed, message: "\(what): the client is closed",
                   isRetriable: false, file: file, line: line)
    }
}
