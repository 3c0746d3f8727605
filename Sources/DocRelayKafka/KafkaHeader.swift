/// One Kafka record header. Names may repeat within a record (DocRelay's `dr-hop` does).
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    /// The header value; `nil` is a header present without a value (distinct from empty).
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 of `value`.
    public init(name: String, string value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }

    /// The value as UTF-8 text, or `nil` when absent or not valid UTF-8.
    public var stringValue: String? {
        guard let value else { return nil }
        return String(validating: value, as: UTF8.self)
    }
}

extension Array where Element == KafkaHeader {
    /// The values of every header called `name`, in record order.
    public func values(named name: String) -> [[UInt8]?] {
        filter { $0.name == name }.map(\.value)
    }

    /// The UTF-8 value of the first header called `name`.
    public func string(named name: String) -> String? {
        first(where: { $0.name == name })?.stringValue
    }
}
