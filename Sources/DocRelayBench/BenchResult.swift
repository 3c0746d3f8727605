import Foundation

/// The outcome of one measurement, printed by `passthrough` as one JSON line and read back
/// by `all` from its child processes.
struct BenchResult: Sendable, Codable, Hashable {
    var impl: String
    /// Bytes of each record's value.
    var size: Int
    var records: Int
    /// From the first record received to the final commit's return.
    var seconds: Double
    var recordsPerSecond: Double
    /// Value bytes per second, in 10^6 bytes.
    var megabytesPerSecond: Double
    /// Peak resident set size of the whole process (mock cluster included), in KiB.
    var peakRSSKiB: Int

    init(impl: Implementation, workload: BenchWorkload, elapsed: Duration, peakRSSKiB: Int) {
        let (whole, attoseconds) = elapsed.components
        let seconds = Double(whole) + Double(attoseconds) / 1e18
        self.impl = impl.rawValue
        self.size = workload.size
        self.records = workload.records
        self.seconds = seconds
        self.recordsPerSecond = seconds > 0 ? Double(workload.records) / seconds : 0
        self.megabytesPerSecond = seconds > 0 ? Double(workload.records * workload.size) / seconds / 1e6 : 0
        self.peakRSSKiB = peakRSSKiB
    }

    /// One line of JSON, keys in a fixed order.
    var jsonLine: String {
        """
        {"impl":"\(impl)","size":\(size),"records":\(records),"seconds":\(String(format: "%.3f", seconds)),\
        "recordsPerSecond":\(String(format: "%.1f", recordsPerSecond)),\
        "megabytesPerSecond":\(String(format: "%.2f", megabytesPerSecond)),"peakRSSKiB":\(peakRSSKiB)}
        """
    }
}
