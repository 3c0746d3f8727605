import Foundation

extension BenchReport {
    /// The median of `metric` over the runs' `path` (`\.oneHop` or `\.fourHops`).
    private func hopsMedian(_ path: KeyPath<HopsResult, PathLatency>, _ metric: (PathLatency) -> Double) -> Double? {
        Self.median(hops.map { metric($0[keyPath: path]) })
    }

    /// The "Across four hubs" section of BENCHMARKS.md.
    var hopsSection: String {
        guard let first = hops.first else { return "" }
        let workload = HopsWorkload.standard
        let four = HopsPath.fourHops
        let one = HopsPath.oneHop
        let lowered = RelayMeasurement.mockFetchWait.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ")
        let idle = Self.median(hops.flatMap { [$0.oneHop.idleCores, $0.fourHops.idleCores] })
            .map { String(format: "%.0f%%", $0 * 100) } ?? "–"
        return """
            ## Across four hubs

            `docrelay-bench hops` measures what each hub on a document's way adds to its latency. Four \
            hubs, each on an embedded cluster of its own (1 broker each): `national` (the root) with \
            children `h58` and `h53`, and `d12`, a district hub under `h58`. Their four relays run in one \
            process (a child of `all`, like the others), each a `RelayService` built by `RelaySetup` from \
            its own `hub.yaml` as `docrelay relay --config` builds it, all four in one `ServiceGroup`, with \
            the single hub's settings above: `hub.yaml`'s defaults but a 6 s session timeout, and \
            \(lowered) in each hub's `kafka.properties` in the directory, so for every client of every \
            relay (its consumers, its producer, its producers to its neighbours' clusters). The 4-hop \
            path: `\(four.sender.code)` (homed at \(four.sender.hub)) to `\(four.recipient.code)` (at \
            \(four.recipient.hub)), through the relays of \(four.hubs.joined(separator: ", ")): three \
            forwards, each into the next hub's `docrelay.hub.<id>` on that hub's cluster, then one \
            delivery. The 1-hop path: `\(one.sender.code)` to the same `\(one.recipient.code)`, through \
            \(one.hubs.joined(separator: ", "))'s relay alone, so that both paths end with the same \
            delivery into the same inbox. Every hub verifies the document in full (signature, chain, \
            binding, digest) before it forwards or delivers it, and the ack takes the way back (on the \
            4-hop path: signed by h53, verified and forwarded by national, h58 and d12).

            After \(workload.warmUpDocuments) untimed documents per path (sent at once and waited for: \
            the mock's ~3 s group joins, the producers' first metadata), each path in turn, 1 hop first: \
            \(Self.grouped(first.fourHops.documents)) documents of \(Self.sizeName(first.size)), signed \
            beforehand, sent one at a time at \(Self.grouped(Int(first.fourHops.rate.rounded()))) per \
            second, each timed from its send (the agency's `produce` call) to the CreateTime of its record \
            in the recipient's inbox (the last relay's write: h53's on both paths) and to its reading by a \
            consumer in the same process, as in the relay's latency phase. Each run is then checked once \
            the relays stopped: the recipient's inbox holds every document exactly once, those of the \
            4-hop path with four `dr-hop` headers naming \(four.hubs.joined(separator: ", ")) in that \
            order, the others one naming h53; each sender's inbox holds exactly one `delivered` ack per \
            document; the dead-letter and retry topics of all four hubs are empty. Out, in and hub topics \
            have \(HopsWorkload.partitions) partitions. "Per extra hop" is (4 hops − 1 hop) / 3 of the \
            medians: what one more relay on the way adds.

            \(hopsTable)
            Each hop is a write by one relay's producer (`linger.ms=5`: a lone record waits 5 ms before \
            it goes) and a fetch by the next relay's consumer, which the mock cluster holds for the whole \
            `fetch.wait.max.ms` (10 ms here) even when the record arrives meanwhile, where a real broker \
            answers at once: about 5 ms of each hop is the mock's. \(Self.hopsTrials)

            CPU is the whole process's (four relays, four mock clusters, the sending agency's producer, \
            the reader) from a path's first send until its last document was read and its last ack is \
            back in the sender's inbox, less what the same process takes idle over as long (\(idle) of \
            one core, median, measured for 1 s before each path's first send with every relay waiting), \
            per document; on the 4-hop path it includes the ack's way back through four relays. At \
            \(Self.grouped(Int(first.fourHops.rate.rounded()))) documents/s each document travels alone, \
            with no batching of produce requests, fetches and delivery reports at any hub, and the \
            relay's tasks are woken for each: the likely reason it costs several times the CPU per \
            document of the relay at full throughput above.

            """
    }

    /// The hops table, as printed on standard output too.
    var hopsTable: String {
        guard let first = hops.first else { return "" }
        func pair(_ path: KeyPath<HopsResult, PathLatency>, _ p50: KeyPath<PathLatency, Double>, _ p99: KeyPath<PathLatency, Double>) -> (Double, Double)? {
            guard let low = hopsMedian(path, { $0[keyPath: p50] }), let high = hopsMedian(path, { $0[keyPath: p99] }) else { return nil }
            return (low, high)
        }
        func latencyRow(_ name: String, _ p50: KeyPath<PathLatency, Double>, _ p99: KeyPath<PathLatency, Double>) -> String {
            let one = pair(\.oneHop, p50, p99)
            let four = pair(\.fourHops, p50, p99)
            let whole = { (value: (Double, Double)?) in value.map { String(format: "%.0f / %.0f", $0.0, $0.1) } ?? "–" }
            var extra = "–"
            if let one, let four {
                extra = String(format: "%.1f / %.1f", (four.0 - one.0) / 3, (four.1 - one.1) / 3)
            }
            return "| \(name) | \(whole(one)) | \(whole(four)) | \(extra) |"
        }
        let cpuOne = hopsMedian(\.oneHop, \.cpuPerDocumentMicroseconds)
        let cpuFour = hopsMedian(\.fourHops, \.cpuPerDocumentMicroseconds)
        let cpu = { (value: Double?) in value.map { Self.grouped(Int($0.rounded())) } ?? "–" }
        let cpuExtra = cpuOne.flatMap { one in cpuFour.map { Self.grouped(Int((($0 - one) / 3).rounded())) } } ?? "–"
        let sent = "\(Self.grouped(first.fourHops.documents)) at \(Self.grouped(Int(first.fourHops.rate.rounded())))"
        return """
            | | 1 hop (\(first.oneHop.hubs.joined(separator: " → "))) | 4 hops (\(first.fourHops.hubs.joined(separator: " → "))) | per extra hop |
            |---|---:|---:|---:|
            \(latencyRow("latency p50 / p99, send → the last relay's inbox write (ms)", \.writeP50Milliseconds, \.writeP99Milliseconds))
            \(latencyRow("latency p50 / p99, send → read from the inbox (ms)", \.readP50Milliseconds, \.readP99Milliseconds))
            | CPU per document above idle, whole process (µs) | \(cpu(cpuOne)) | \(cpu(cpuFour)) | \(cpuExtra) |
            | documents, at (documents/s) | \(sent) | \(sent) | |

            """
    }
}
