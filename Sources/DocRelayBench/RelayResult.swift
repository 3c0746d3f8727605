import Foundation

/// The outcome of `docrelay-bench relay`, printed as one JSON line and read back by `all`.
struct RelayResult: Sendable, Codable, Hashable {
    /// Bytes of each document (the record's value).
    var size: Int
    /// Documents of the throughput phase.
    var records: Int
    /// From the first document in an inbox to every document and ack in its inbox.
    var seconds: Double
    var recordsPerSecond: Double
    /// Value bytes of the documents per second, in 10^6 bytes.
    var megabytesPerSecond: Double
    /// CPU time (user + system) of the whole process over the throughput phase: relay, mock
    /// cluster and the benchmark's own polling.
    var cpuSeconds: Double
    /// Peak resident set size of the whole process (mock cluster included), in KiB.
    var peakRSSKiB: Int
    /// Documents of the latency phase, and the rate they were sent at.
    var latencyDocuments: Int
    var latencyRate: Double
    /// From the agency's send to the document read from the recipient's inbox, in ms.
    var latencyP50Milliseconds: Double
    var latencyP99Milliseconds: Double
    /// From the agency's send to the relay's write into the inbox (the inbox record's
    /// CreateTime, whole milliseconds), in ms.
    var relayLatencyP50Milliseconds: Double
    var relayLatencyP99Milliseconds: Double
    /// The relay's `consumer.workers` (records processed at once).
    var workers: Int?

    /// One line of JSON.
    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
