extension BenchReport {
    /// What the mock cluster's fetch wait does to the four-hub latency, and where its p99 comes
    /// from: trial runs made by hand (not by `make bench`), dated, to be redone when the relay
    /// changes. How: `docrelay-bench hops --kafka-property fetch.wait.max.ms=<ms>`, three runs
    /// each, medians; the stalls from the `dr-hop` times (each relay's time of handling) of the
    /// recipient's records in one run, beside each document's send time.
    static let hopsTrials = """
        In trial runs (2026-11-29, three each, medians of p50 until the inbox write), \
        `fetch.wait.max.ms=1` instead of 10 gave 6 ms for one hop and 29 ms for four, 7.6 ms per \
        extra hop instead of ~12.6 (of which `linger.ms=5` is 5 ms); librdkafka's default of 500 ms \
        gave 268 ms and 1,359 ms, 364 ms per extra hop: the mock's wait, nearly all of it. The p99s \
        come from short stalls of the whole process (in a trial run, about every 1.5 s for 50 to \
        100 ms, every relay's hop delayed at the same moment, then ~2× the process's usual CPU to \
        catch up): a document on its way through four hubs for ~50 ms is likelier to meet one, and \
        may meet it at more than one hub, than a document through one hub for ~10 ms; so the \
        per-extra-hop p99 is not the cost of one hop, and the p99s move with whatever else the \
        machine runs.
        """
}
