import CRdKafka
import Foundation

/// Facts about this process and machine for the report: peak memory, cores, architecture,
/// librdkafka's version.
enum ProcessStats {
    /// The peak resident set size of this process so far, in KiB (`ru_maxrss` on Linux).
    static func peakRSSKiB() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)
    }

    /// Processors available to this process (what `nproc` prints).
    static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The hardware name, as `uname -m` prints it.
    static var machine: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.machine) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The librdkafka version linked in.
    static var librdkafkaVersion: String {
        String(cString: rd_kafka_version_str())
    }
}
