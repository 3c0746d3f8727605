public import DocRelayCore
import DocRelayDocuments
public import DocRelayKafka
public import Foundation

/// Keeping a dead letter under the producer's record limit (issue 10: a copy of ten 120 KB
/// unknown headers was refused as too large and retried forever).
extension DeadLetter {
    /// Bytes kept free under the producer's `maxRecordBytes` for what librdkafka counts and
    /// `wireSize` may not (a batch of one record).
    public static let margin = 4_096
    /// The longest `dr-dropped-headers` value, in bytes.
    static let droppedListBytes = 1_024
    /// How `dr-dropped-headers` of a minimal dead letter starts.
    public static let minimalMarker = "all headers and the value"

    /// A record's size as librdkafka bounds it against `message.max.bytes`
    /// (`rd_kafka_msg_max_wire_size`): a record batch header (61 B), the record's own overhead,
    /// key, value, and per header its name, value and their varint lengths; an upper bound.
    public static func wireSize(key: [UInt8]?, valueBytes: Int, headers: [KafkaHeader]) -> Int {
        61 + 24 + (key?.count ?? 0) + valueBytes + headers.reduce(0) { $0 + headerSize($1) }
    }

    static func headerSize(_ header: KafkaHeader) -> Int { header.name.utf8.count + (header.value?.count ?? 0) + 10 }

    /// What of a record's own headers a dead letter keeps, within `wireSize` ≤ `maxRecordBytes
    /// - margin`: the contract's `dr-*` headers first (each within its bound of `limits`), then
    /// the others in order while they fit, all of them within `limits.maxHeaderBytes`; what is
    /// left out is named in `dr-dropped-headers`. A value that does not fit even without them is
    /// cut (its real digest and size in `dr-value-sha256`/`dr-value-size`). Pure.
    static func fit(
        original: [KafkaHeader], context: [KafkaHeader], key: [UInt8]?, value: [UInt8], fullValue: [UInt8],
        limits: EnvelopeLimits, maxRecordBytes: Int
    ) -> (headers: [KafkaHeader], value: [UInt8]) {
        var context = context
        var value = value
        let budget = maxRecordBytes - margin
        let reserve = HeaderName.droppedHeaders.utf8.count + droppedListBytes + 10
        let digestReserve = context.string(named: HeaderName.valueSHA256) == nil ? 2 * (HeaderName.valueSHA256.utf8.count + 64 + 10) : 0
        let fixed = wireSize(key: key, valueBytes: value.count, headers: context) + reserve + digestReserve
        if fixed > budget {
            value = Array(value.prefix(max(0, value.count - (fixed - budget))))
        }
        if value.count < fullValue.count, context.string(named: HeaderName.valueSHA256) == nil {
            context.append(KafkaHeader(name: HeaderName.valueSHA256, string: SHA256Hex.of(fullValue)))
            context.append(KafkaHeader(name: HeaderName.valueSize, string: String(fullValue.count)))
        }
        var room = min(budget - wireSize(key: key, valueBytes: value.count, headers: context) - reserve, limits.maxHeaderBytes)
        var kept = [Bool](repeating: false, count: original.count)
        for contractPass in [true, false] {
            for (index, header) in original.enumerated() where header.name.hasPrefix("dr-") == contractPass {
                let size = headerSize(header)
                let withinBound = !contractPass || (header.value?.count ?? 0) <= limits.maxValueBytes(ofHeader: header.name)
                if withinBound, size <= room {
                    kept[index] = true
                    room -= size
                }
            }
        }
        var headers = original.indices.filter { kept[$0] }.map { original[$0] }
        let dropped = original.indices.filter { !kept[$0] }.map { original[$0] }
        headers += context
        if !dropped.isEmpty {
            headers.append(KafkaHeader(name: HeaderName.droppedHeaders, string: droppedList(dropped)))
        }
        return (headers, value)
    }

    /// `name (size B), ...`, within `droppedListBytes`: names cut and quoted when odd, the rest
    /// counted as `and N more (M B)`.
    static func droppedList(_ dropped: [KafkaHeader]) -> String {
        var text = ""
        for (index, header) in dropped.enumerated() {
            let item = "\(Envelope.shownName(header.name)) (\(header.value?.count ?? 0) B)"
            let rest = dropped[index...]
            let tail = ", and \(rest.count) more (\(rest.reduce(0) { $0 + ($1.value?.count ?? 0) }) B)"
            if text.utf8.count + item.utf8.count + 2 + tail.utf8.count > droppedListBytes - 40 {
                return text.isEmpty ? String(tail.dropFirst(6)) : text + tail
            }
            text += (text.isEmpty ? "" : ", ") + item
        }
        return text
    }

    /// The dead letter of last resort, for a dead letter the broker refused for good: no value,
    /// none of the record's headers but `dr-id` (when it reads as an id), its class, reason
    /// (with the refusal), origin, time, the value's digest and size, and
    /// `dr-dropped-headers: all headers and the value ...`. A few hundred bytes.
    public static func minimal(replacing refused: KafkaProducerRecord, refusal: String) -> KafkaProducerRecord {
        let headers = refused.headers
        var kept: [KafkaHeader] = []
        if let id = headers.string(named: HeaderName.id), !id.isEmpty, id.utf8.count <= 256 {
            kept.append(KafkaHeader(name: HeaderName.id, string: id))
        }
        for name in [HeaderName.originTopic, HeaderName.originPartition, HeaderName.originOffset, HeaderName.errorClass] {
            if let value = headers.string(named: name), value.utf8.count <= 256 { kept.append(KafkaHeader(name: name, string: value)) }
        }
        let reason = headers.string(named: HeaderName.error) ?? ""
        kept.append(KafkaHeader(name: HeaderName.error, string: String("\(reason.prefix(1024)) (dead letter refused: \(refusal))".prefix(2048))))
        if let at = headers.string(named: HeaderName.deadLetteredAt) { kept.append(KafkaHeader(name: HeaderName.deadLetteredAt, string: at)) }
        let size = headers.string(named: HeaderName.valueSize) ?? String(refused.value.count)
        let digest = headers.string(named: HeaderName.valueSHA256) ?? SHA256Hex.of(refused.value)
        kept.append(KafkaHeader(name: HeaderName.valueSHA256, string: String(digest.prefix(64))))
        kept.append(KafkaHeader(name: HeaderName.valueSize, string: String(size.prefix(20))))
        let headerBytes = headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) }
        kept.append(KafkaHeader(
            name: HeaderName.droppedHeaders, string: "\(minimalMarker) (\(headers.count) headers, \(headerBytes) B)"))
        let key = refused.key.map { Array($0.prefix(256)) }
        return KafkaProducerRecord(topic: refused.topic, key: key, value: [], headers: kept)
    }

    /// Whether `record` is a minimal dead letter (`minimal(replacing:refusal:)`).
    public static func isMinimal(_ record: KafkaProducerRecord) -> Bool {
        record.value.isEmpty && (record.headers.string(named: HeaderName.droppedHeaders)?.hasPrefix(minimalMarker) ?? false)
    }
}
