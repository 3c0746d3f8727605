import Foundation

extension BenchReport {
    /// The "large documents" section of BENCHMARKS.md (`docrelay-bench large`, issue 13).
    var largeSection: String {
        guard let first = larges.first else { return "" }
        let median = { (metric: (LargeResult) -> Double) in Self.median(larges.map(metric)) ?? 0 }
        let relay = median(\.relayMegabytesPerSecond)
        let raw = median(\.rawMegabytesPerSecond)
        let ratio = median(\.ratio)
        let peak = median { Double($0.peakRSSKiB) } / 1024
        let resting = median { Double($0.restingRSSKiB) } / 1024
        let runs = larges.count == 1 ? "one run" : "the median of \(larges.count) runs"
        return """
            ## Large documents (issue 13)

            \(first.documents) documents of \(first.size / 1_048_576) MiB, each from its own sender to its own \
            recipient, all at once, through the relay as segments of \(first.segmentBytes / 1024) KiB \
            (docs/contract.md, "Large documents"), in the relay's own process (`docrelay-bench large`, \(runs)). \
            The embedded broker keeps about 5 MiB per partition and drops older data silently, and one \
            document's segments share a partition: each sender keeps at most \(LargeMeasurement.window) segments \
            ahead of its recipient's inbox, so the figure is the relay's pace, not the producer's. The clock \
            runs from the first segment produced to every segment in its inbox and every delivered ack; nothing \
            may be dead-lettered. The raw pass-through moves as many bytes in records of the segment size, in \
            the same run.

            | relay MB/s | raw pass-through MB/s | ratio | process RSS before the relay | peak RSS |
            |---:|---:|---:|---:|---:|
            | \(String(format: "%.1f", relay)) | \(String(format: "%.1f", raw)) | \(String(format: "%.3f×", ratio)) | \
            \(String(format: "%.0f MiB", resting)) | \(String(format: "%.0f MiB", peak)) |

            The peak RSS is the whole process's (`ru_maxrss`: the relay, the mock cluster holding up to 5 MiB \
            per partition of every topic, and the benchmark's producer); the documents are made segment by \
            segment and never held whole. Each segment is verified (the signature over the signed headers, \
            its certificate's binding), hashed into the document's SHA-256, signed as this hub's acceptance \
            and written to the inbox with `acks=all` before the next segment of its document is read: one \
            document is a sequence, so its pace is one segment's round trip.

            """
    }
}
