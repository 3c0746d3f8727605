import CRdKafka

/// One `rd_kafka_t` of the raw pass-through, created from plain librdkafka properties.
///
/// Not `Sendable`: the raw pass-through uses it from one thread only. `close()` tears it down
/// (leaving the group first for a consumer); `deinit` does so if `close()` was not called.
final class RawClient {
    let handle: OpaquePointer
    private let isConsumer: Bool
    private var isClosed = false

    /// Creates a client of `type` from `properties`; `prepare` may install callbacks on the
    /// configuration before the client takes it.
    init(
        _ type: rd_kafka_type_t, properties: [(String, String)],
        prepare: (OpaquePointer) -> Void = { _ in }
    ) throws(BenchFailure) {
        guard let config = rd_kafka_conf_new() else { throw BenchFailure("rd_kafka_conf_new failed") }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            guard rd_kafka_conf_set(config, name, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(config)
                throw BenchFailure("librdkafka refused \(name)=\(value): \(Self.text(errorText))")
            }
        }
        prepare(config)
        guard let handle = rd_kafka_new(type, config, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(config)
            throw BenchFailure("rd_kafka_new failed: \(Self.text(errorText))")
        }
        self.handle = handle
        self.isConsumer = type == RD_KAFKA_CONSUMER
        if isConsumer { rd_kafka_poll_set_consumer(handle) }
    }

    deinit {
        close()
    }

    /// Leaves the group (consumer) or waits up to 10 s for outstanding deliveries
    /// (producer), then destroys the handle.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if isConsumer {
            _ = rd_kafka_consumer_close(handle)
        } else {
            _ = rd_kafka_flush(handle, 10_000)
        }
        rd_kafka_destroy(handle)
    }

    /// The C string in a librdkafka error buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
