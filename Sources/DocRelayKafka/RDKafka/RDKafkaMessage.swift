internal import CRdKafka

extension KafkaRecord {
    /// Copies a consumed `rd_kafka_message_t` (without error) into a record.
    init(copying message: UnsafePointer<rd_kafka_message_t>, topic: String, generation: UInt64) {
        let m = message.pointee
        let value: [UInt8] =
            if let payload = m.payload, m.len > 0 {
                Array(UnsafeRawBufferPointer(start: payload, count: m.len))
            } else {
                []
            }
        let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(
            topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
            headers: Self.headers(of: message),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
        self.generation = generation
    }

    private static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
            return []
        }
        var result: [KafkaHeader] = []
        result.reserveCapacity(rd_kafka_header_cnt(list))
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  let name
            else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: String(cString: name), value: bytes))
            index += 1
        }
        return result
    }
}

/// Headers in librdkafka's form; ownership passes to the message when production succeeds.
func makeRDKafkaHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
    guard !headers.isEmpty else { return nil }
    let list = rd_kafka_headers_new(headers.count)
    for header in headers {
        if let value = header.value {
            value.withUnsafeBytes { bytes in
                // Never NULL for a present value, even an empty one.
                let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
                _ = rd_kafka_header_add(list, header.name, -1, base, bytes.count)
            }
        } else {
            _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
        }
    }
    return list
}
