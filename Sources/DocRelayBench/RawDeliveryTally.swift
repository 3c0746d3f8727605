import CRdKafka

/// What the raw pass-through's delivery reports said: how many records the broker
/// acknowledged, and per source partition the offset after the last one acknowledged.
///
/// librdkafka calls `dr_msg_cb` from `rd_kafka_poll` on the producer, which only the
/// pass-through's own thread calls, so the tally needs no lock. It reaches the callback as
/// the configuration opaque (`Unmanaged`); each message's opaque carries its source
/// coordinates (see `messageOpaque`).
final class RawDeliveryTally {
    private(set) var acknowledged = 0
    private(set) var failed = 0
    private(set) var firstFailure: rd_kafka_resp_err_t?
    /// Per source partition, the acknowledged offset + 1 (`-1`: none yet). Reports of one
    /// partition arrive in order, so the latest is the highest.
    private(set) var nextOffsets: [Int64]

    init(partitions: Int) {
        nextOffsets = Array(repeating: -1, count: partitions)
    }

    /// The message opaque for a record consumed at `partition`/`offset`: both packed into the
    /// pointer's bits (offset + 1 in the low 40 bits, so it is never null), no allocation.
    static func messageOpaque(partition: Int32, offset: Int64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(UInt32(bitPattern: partition)) << 40 | UInt(offset + 1))
    }

    /// Handles one delivery report.
    func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            failed += 1
            if firstFailure == nil { firstFailure = m.err }
            return
        }
        acknowledged += 1
        let bits = UInt(bitPattern: m._private)
        let partition = Int(bits >> 40)
        let next = Int64(bits & ((1 << 40) - 1))
        if nextOffsets.indices.contains(partition), next > nextOffsets[partition] {
            nextOffsets[partition] = next
        }
    }

    /// Installs the delivery callback on `config`, with this tally as its context. The
    /// caller keeps the tally alive until the producer is destroyed.
    func install(on config: OpaquePointer) {
        rd_kafka_conf_set_opaque(config, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(config) { _, message, opaque in
            guard let message, let opaque else { return }
            Unmanaged<RawDeliveryTally>.fromOpaque(opaque).takeUnretainedValue().delivered(message)
        }
    }
}
