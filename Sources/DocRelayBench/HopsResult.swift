import Foundation

/// The latency of one path in one `docrelay-bench hops` run.
struct PathLatency: Sendable, Codable, Hashable {
    /// The hubs whose relays each document passed, in order.
    var hubs: [String]
    /// Timed documents, and the rate they were sent at (documents/s).
    var documents: Int
    var rate: Double
    /// From the agency's send to the document read from the recipient's inbox, in ms.
    var readP50Milliseconds: Double
    var readP99Milliseconds: Double
    /// From the agency's send to the last relay's write into the inbox (the inbox record's
    /// CreateTime, whole milliseconds), in ms.
    var writeP50Milliseconds: Double
    var writeP99Milliseconds: Double
    /// From the first send to the last document read and the last ack back in the sender's
    /// inbox.
    var seconds: Double
    /// CPU time (user + system) of the whole process over `seconds`.
    var cpuSeconds: Double
    /// The whole process's CPU while every relay waited and nothing was sent, measured just
    /// before the path's first send, in cores (CPU seconds per second).
    var idleCores: Double

    /// CPU per document above what the process takes idle over the same time, in µs.
    var cpuPerDocumentMicroseconds: Double {
        guard documents > 0 else { return 0 }
        return max(cpuSeconds - idleCores * seconds, 0) / Double(documents) * 1e6
    }
}

/// The outcome of `docrelay-bench hops`, printed as one JSON line and read back by `all`.
struct HopsResult: Sendable, Codable, Hashable {
    /// Bytes of each document.
    var size: Int
    /// An agency of h53 to another of h53.
    var oneHop: PathLatency
    /// An agency of d12 to the same recipient at h53, by way of h58 and national.
    var fourHops: PathLatency
    /// Peak resident set size of the whole process (four mock clusters included), in KiB.
    var peakRSSKiB: Int

    /// One line of JSON.
    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
