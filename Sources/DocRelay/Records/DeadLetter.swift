public import DocRelayCore
import DocRelayDocuments
public import DocRelayKafka
public import Foundation

/// A record of the dead-letter topic: the record that could not be delivered, with its full
/// context (contract, "What the relay checks"): its original headers and value (a value over
/// the limit truncated, its real digest and size kept), `dr-error-class`, `dr-error`, where it
/// was first read (`dr-origin-*`), when (`dr-dead-lettered-at`), and for an exhausted retry the
/// recipients still pending (`dr-pending-to`).
public struct DeadLetter: Sendable {
    /// Where this dead letter sits in the dead-letter topic.
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The record's key: the document id when it had one.
    public let key: [UInt8]?
    /// The original headers, without the dead-letter context (signed headers untouched).
    public let originalHeaders: [KafkaHeader]
    /// The value as kept (truncated when it was over the limit: see `isTruncated`).
    public let value: [UInt8]
    public let errorClass: String
    public let reason: String
    public let originTopic: String?
    public let originPartition: Int32?
    public let originOffset: Int64?
    public let deadLetteredAt: Date?
    public let pendingTo: [String]?
    /// The SHA-256 and size of the value as it was read, when it was truncated here.
    public let valueSHA256: String?
    public let valueSize: Int?

    /// The headers a dead letter adds, removed again for a replay.
    static let contextHeaders: Set<String> = [
        HeaderName.errorClass, HeaderName.error, HeaderName.deadLetteredAt, HeaderName.valueSHA256,
        HeaderName.valueSize, HeaderName.droppedHeaders,
    ]
    /// The headers of a retry, removed for a replay (which starts the tiers again).
    static let retryHeaders: Set<String> = [HeaderName.attempt, HeaderName.notBefore, HeaderName.pendingTo]

    /// Reads a record of the dead-letter topic.
    public init(_ record: KafkaRecord) {
        topic = record.topic
        partition = record.partition
        offset = record.offset
        key = record.key
        value = record.value
        let headers = record.headers
        errorClass = headers.string(named: HeaderName.errorClass) ?? "unknown"
        reason = headers.string(named: HeaderName.error) ?? ""
        originTopic = headers.string(named: HeaderName.originTopic)
        originPartition = headers.string(named: HeaderName.originPartition).flatMap { Int32($0) }
        originOffset = headers.string(named: HeaderName.originOffset).flatMap { Int64($0) }
        deadLetteredAt = headers.string(named: HeaderName.deadLetteredAt).flatMap(RFC3339.parse)
        pendingTo = headers.string(named: HeaderName.pendingTo).map { $0.split(separator: ",").map(String.init) }
        valueSHA256 = headers.string(named: HeaderName.valueSHA256)
        valueSize = headers.string(named: HeaderName.valueSize).flatMap { Int($0) }
        originalHeaders = headers.filter { !Self.contextHeaders.contains($0.name) }
    }

    /// The document id (`dr-id`), or where the record was first read when it has none.
    public var id: String {
        originalHeaders.string(named: HeaderName.id)
            ?? "\(originTopic ?? topic)/\(originPartition ?? partition)/\(originOffset ?? offset)"
    }

    /// This dead letter's place, as events name it: `<topic>/<partition>/<offset>`.
    public var location: String { "\(topic)/\(partition)/\(offset)" }

    /// The value was cut when it was dead-lettered: shorter than `dr-value-size`, or (without
    /// it) not what `dr-value-sha256` names. A value over the hub's limit but shorter than what
    /// a dead letter keeps (64 KiB) is whole, though it has both headers.
    public var isTruncated: Bool {
        if let valueSize { return value.count < valueSize }
        if let valueSHA256 { return SHA256Hex.of(value) != valueSHA256 }
        return false
    }
    /// A large document's dead letter (`dr-segment`, contract "Large documents"): its headers,
    /// not the document, which passed in segments; `documentSize` is its `dr-size`.
    public var isSegmented: Bool { originalHeaders.string(named: HeaderName.segment) != nil }
    public var documentSize: Int? { originalHeaders.string(named: HeaderName.size).flatMap { Int($0) } }
    public var from: String? { originalHeaders.string(named: HeaderName.from) }
    public var to: [String] {
        originalHeaders.string(named: HeaderName.to)?.split(separator: ",").map(String.init) ?? []
    }
    public var kind: String? { originalHeaders.string(named: HeaderName.kind) }

    /// The record to write to the dead-letter topic for `original`, refused or exhausted.
    /// A value over `maxValueBytes` keeps its first `keptBytes`, with its real digest and size.
    public static func record(
        for original: KafkaRecord, errorClass: ErrorClass, reason: String, pendingTo: [String]? = nil,
        topics: TopicNames, at time: Date, maxValueBytes: Int, keptBytes: Int = 65_536
    ) -> KafkaProducerRecord {
        record(for: original, errorClass: errorClass, reason: reason, pendingTo: pendingTo, topics: topics, at: time,
               limits: EnvelopeLimits(maxValueBytes: maxValueBytes), keptBytes: keptBytes)
    }

    /// The record to write to the dead-letter topic for `original`, refused or exhausted, always
    /// within `limits.maxRecordBytes` less `margin` (what the relay's producer takes): a value
    /// over `limits.maxValueBytes` keeps its first `keptBytes`, with its real digest and size;
    /// headers that do not fit are left out and named in `dr-dropped-headers` (`fit`).
    public static func record(
        for original: KafkaRecord, errorClass: ErrorClass, reason: String, pendingTo: [String]? = nil,
        topics: TopicNames, at time: Date, limits: EnvelopeLimits, keptBytes: Int = 65_536
    ) -> KafkaProducerRecord {
        let headers = original.headers.filter {
            !contextHeaders.contains($0.name) && $0.name != HeaderName.pendingTo && $0.name != HeaderName.notBefore
        }
        var context: [KafkaHeader] = []
        if headers.string(named: HeaderName.originTopic) == nil {
            context.append(KafkaHeader(name: HeaderName.originTopic, string: original.topic))
            context.append(KafkaHeader(name: HeaderName.originPartition, string: String(original.partition)))
            context.append(KafkaHeader(name: HeaderName.originOffset, string: String(original.offset)))
        }
        context.append(KafkaHeader(name: HeaderName.errorClass, string: errorClass.rawValue))
        context.append(KafkaHeader(name: HeaderName.error, string: String(reason.prefix(4096))))
        context.append(KafkaHeader(name: HeaderName.deadLetteredAt, string: RFC3339.format(time, fractionalDigits: 3)))
        if let pendingTo {
            context.append(KafkaHeader(name: HeaderName.pendingTo, string: pendingTo.joined(separator: ",")))
        }
        var value = original.value
        if value.count > limits.maxValueBytes {
            context.append(KafkaHeader(name: HeaderName.valueSHA256, string: SHA256Hex.of(value)))
            context.append(KafkaHeader(name: HeaderName.valueSize, string: String(value.count)))
            value = Array(value.prefix(keptBytes))
        }
        let id = original.headers.string(named: HeaderName.id).flatMap { $0.utf8.count <= limits.maxIdBytes ? $0 : nil }
        let key = id.map { Array($0.utf8) } ?? original.key.map { Array($0.prefix(limits.maxIdBytes)) }
            ?? Array("\(original.topic)/\(original.partition)/\(original.offset)".utf8)
        let fitted = fit(original: headers, context: context, key: key, value: value, fullValue: original.value,
                         limits: limits, maxRecordBytes: limits.maxRecordBytes)
        return KafkaProducerRecord(topic: topics.deadLetters, key: key, value: fitted.value, headers: fitted.headers)
    }

    /// The record an operator's replay writes: the original headers and value into the first
    /// retry tier, due now, marked `dr-replayed`, still limited to the pending recipients.
    public func replayRecord(topics: TopicNames, tier: RetryTier, at time: Date) -> KafkaProducerRecord {
        var headers = originalHeaders.filter { !Self.retryHeaders.contains($0.name) && $0.name != HeaderName.replayed }
        headers.append(KafkaHeader(name: HeaderName.attempt, string: "0"))
        headers.append(KafkaHeader(name: HeaderName.notBefore, string: RFC3339.format(time, fractionalDigits: 3)))
        headers.append(KafkaHeader(name: HeaderName.replayed, string: RFC3339.format(time, fractionalDigits: 3)))
        if let pendingTo {
            headers.append(KafkaHeader(name: HeaderName.pendingTo, string: pendingTo.joined(separator: ",")))
        }
        return KafkaProducerRecord(topic: topics.retry(tier), key: key, value: value, headers: headers)
    }
}
