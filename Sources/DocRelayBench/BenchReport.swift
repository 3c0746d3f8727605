import Foundation

/// The markdown report of `docrelay-bench all` (BENCHMARKS.md): how it was made, on what,
/// per value size the median figures of `raw` and `layer` with their ratio, the relay against
/// them (see `BenchReport+Relay.swift`), the latency across one hub and four (see
/// `BenchReport+Hops.swift`), the relay's peak RSS under a backlog (see
/// `BenchReport+Backlog.swift`), and the signature verification rates (see
/// `BenchReport+Verification.swift`).
struct BenchReport {
    let results: [BenchResult]
    var relays: [RelayResult] = []
    var hops: [HopsResult] = []
    /// `docrelay-bench backlog` runs (see `BenchReport+Backlog.swift`).
    var backlogs: [BacklogResult] = []
    /// `docrelay-bench large` runs (see `BenchReport+Large.swift`).
    var larges: [LargeResult] = []
    /// `docrelay-bench scale` (see `BenchReport+Scale.swift`).
    var scales: [ScaleResult] = []
    let verifications: [VerifyResult]
    let repetitions: Int
    let date: Date
    /// The 1-minute load average when the run began and when it ended (other processes share
    /// the machine's cores), as `/proc/loadavg` gives it.
    var loadAverages: (start: String, end: String)?

    static let command =
        "swift build -c release --product docrelay && swift build -c release --product docrelay-bench && .build/release/docrelay-bench all --repetitions 5 --output BENCHMARKS.md"

    var markdown: String {
        """
        # DocRelay benchmarks: Kafka pass-through, the relay, across four hubs, memory under a backlog, large documents, a national hub, signature verification

        Made with `make bench`, that is:

        ```
        \(Self.command)
        ```

        - Date: \(Self.utc(date))
        - Machine: \(ProcessStats.processorCount) cores (`nproc`), \(ProcessStats.machine) (`uname -m`), \
        librdkafka \(ProcessStats.librdkafkaVersion)
        - Each figure is the median of \(repetitions) run\(repetitions == 1 ? "" : "s"), each in a process of its own, \
        raw and layer alternating, the relay and four-hub runs between them.\
        \(loadAverages.map { "\n- Load average (1 min, `/proc/loadavg`): \($0.start) when the run began, \($0.end) when it ended; anything above 0 is other processes taking CPU from the measurements." } ?? "")

        `raw` is the baseline: later relay figures are given as ratios of it. Both implementations do the \
        same pass-through: consume a record from a source topic, produce it (key, value, headers) to a \
        destination topic on an idempotent producer (`acks=all`, `linger.ms=5`), and commit the source \
        offset once the broker acknowledged the copy. `raw` calls librdkafka directly from one thread, as a \
        C program would: `rd_kafka_consumer_poll`, `rd_kafka_produceva` with copied payload and headers, \
        delivery reports counted in `dr_msg_cb` served by `rd_kafka_poll`, acknowledged offsets committed \
        asynchronously every 100 ms. `layer` is DocRelay's Swift layer: one task iterates \
        `KafkaConsumer.records` and hands each record to `KafkaProducer.send(_:onDelivery:)`, whose delivery \
        callback marks it processed; the consumer commits processed offsets in the background (every 500 ms). \
        Both end with a synchronous commit.

        The cluster is librdkafka's mock cluster inside the same process (1 broker; source and destination \
        with 24 partitions each). The clock starts at the first record received (after the mock's ~3 s \
        group join) and stops when every record is acknowledged and the final commit returned; the \
        destination's high watermarks are checked to sum to the record count. Both producers know the \
        destination's partitions before the clock starts (librdkafka 2.0 otherwise learns a topic first \
        produced to only at its next one-second topic scan, which would add up to a second to every run). \
        `raw` runs last a fraction of a second at these sizes, so single runs vary by tens of percent; the \
        medians are what to compare. MB/s counts value bytes \
        (10^6 bytes). Peak RSS is the whole process's (`ru_maxrss`), including the mock cluster, which \
        holds both topics in memory (about 2 × records × size).

        \(passThroughTables)
        \(relaySection)
        \(hopsSection)
        \(backlogSection())
        \(largeSection)
        \(Self.scaleSection(scales, standalone: false))
        \(verificationSection)
        """
    }

    /// One table per value size, then the verification table, as printed on standard output.
    var tables: String {
        passThroughTables + "\n" + relayTable + "\n" + hopsTable + "\n" + backlogTable + "\n" + verificationTable
    }

    private var passThroughTables: String {
        BenchWorkload.standard.map(table).joined(separator: "\n")
    }

    private func table(_ workload: BenchWorkload) -> String {
        let runs = results.filter { $0.size == workload.size && $0.records == workload.records }
        let raw = runs.filter { $0.impl == Implementation.raw.rawValue }
        let layer = runs.filter { $0.impl == Implementation.layer.rawValue }
        func row(_ name: String, _ metric: (BenchResult) -> Double, _ format: (Double) -> String) -> String {
            let rawValue = Self.median(raw.map(metric))
            let layerValue = Self.median(layer.map(metric))
            let ratio = rawValue.flatMap { base in layerValue.map { base > 0 ? $0 / base : 0 } }
            return "| \(name) | \(rawValue.map(format) ?? "–") | \(layerValue.map(format) ?? "–") | "
                + "\(ratio.map { String(format: "%.2f×", $0) } ?? "–") |"
        }
        return """
            ## \(Self.sizeName(workload.size)) values, \(Self.grouped(workload.records)) records

            | | raw | layer | layer/raw |
            |---|---:|---:|---:|
            \(row("records/s", \.recordsPerSecond) { Self.grouped(Int($0.rounded())) })
            \(row("MB/s", \.megabytesPerSecond) { String(format: "%.1f", $0) })
            \(row("peak RSS", { Double($0.peakRSSKiB) }) { String(format: "%.0f MiB", $0 / 1024) })
            \(row("time (s)", \.seconds) { String(format: "%.3f", $0) })

            """
    }

    /// The median, or `nil` for no values.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `60000` as `60,000`, whatever the locale.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    static func sizeName(_ bytes: Int) -> String {
        bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\(bytes) B"
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC",
            c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
