import Foundation

/// The outcome of `docrelay-bench large`, printed as one JSON line and read back by `all`.
struct LargeResult: Sendable, Codable, Hashable {
    /// Bytes of each document, and how many went through at once (one per sender).
    var size: Int
    var documents: Int
    /// Bytes of each segment (the records on Kafka).
    var segmentBytes: Int
    /// The relay: from the first segment produced to every segment in its inbox and every
    /// delivered ack in its sender's; value bytes per second, in 10^6 bytes.
    var relaySeconds: Double
    var relayMegabytesPerSecond: Double
    /// The raw pass-through of as many bytes in records of the segment size, in the same run.
    var rawSeconds: Double
    var rawMegabytesPerSecond: Double
    /// Resident set size of the process before the relay started, and its peak after, in KiB
    /// (the relay runs in this process; the documents are made segment by segment, never whole).
    var restingRSSKiB: Int
    var peakRSSKiB: Int

    var ratio: Double { relayMegabytesPerSecond / rawMegabytesPerSecond }

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
