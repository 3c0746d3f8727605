import DocRelayDocuments
extension BenchReport {
    /// Where the relay's CPU goes: a profile made by hand (not by `make bench`), dated, to be
    /// redone when the relay changes. How: `docrelay-bench relay --size 4096 --records 8000
    /// --progress` prints when the throughput phase begins; `perf record -F 997 --call-graph
    /// dwarf -p <pid> -- sleep 3.5` then samples only that phase.
    static let relayProfile = """
        ### What bounds the relay (profiles of 2026-11-29, 4 KiB, release build)

        The relay is CPU-bound: it keeps both cores busy (the mock broker and librdkafka's threads \
        included), whatever the concurrency (1,024 or 2,048 workers instead of 256 changed the rate \
        by less than the noise between runs, and lengthened every wait). A first \
        `perf record --call-graph dwarf` over the throughput phase (then 650 µs of CPU and ~2,500 \
        documents/s) gave, as shares of the whole process's CPU:

        | where | share |
        |---|---:|
        | the ack: OpenSSL's CMS builder (`CMS_add1_signer` 6.7%, `CMS_final` 5.4%, DER output 2.0%) around the ECDSA P-256 signature itself (6.3%) | 21.7% |
        | the ack: `DocumentSigner.sign`'s other work (re-decoding the headers it just made 4.3%, headers and SHA-256 3.2%, base64, UUID, the certificate's subject 5.7%, JSON 1.2%) | 14.4% |
        | verification: `FastCMSVerifier` (of which the RSA-2048 operation 3.4%) | 6.7% |
        | verification: `Envelope.decode` (header lines, base64 of the signature) and the rest | 8.1% |
        | three events per document through Foundation's `JSONEncoder` | 9.5% |
        | librdkafka: I/O threads 7.8%, mock broker 4.1%, `KafkaProducer` enqueue (header and value copies) 3.8%, delivery reports 3.0%, consumer 1.1% | 19.8% |
        | `RecordHandler` bookkeeping, task groups and `AsyncStream`s of `DurableWriter`, dates | 11.3% |
        | Swift runtime and scheduling not attributed above | 8.0% |

        What was done about it since (the figures above the profile are after it): acks are signed \
        by `PreparedSigner`, which encodes once what every ack shares and per ack only its three \
        signed attributes, without OpenSSL's CMS builder and without checking again headers the \
        relay has just built; events and acks are written as JSON by hand (byte for byte what \
        `JSONEncoder` wrote, tested); a delivery's acks go with its events instead of after them; \
        and the consumer waits for a first record instead of a full batch of 256 or 50 ms, which \
        was most of the latency below full load. Together: ~480 µs of CPU per document instead of \
        650, ~3,200 documents/s instead of ~2,500, p50 until the inbox write 12 ms instead of 41.

        Still open, in order of expected gain: one round trip fewer per document (the `acked` \
        events after the acks), header decoding without a `String` per line and with a \
        table-driven base64 (~5%), fewer copies between librdkafka and the relay. The crypto alone \
        sets a floor far below the issue's aim: an RSA-2048 verification (~30–40 µs) and two ECDSA \
        P-256 signatures (~36 µs each: the ack, and since issue 11 the hub's acceptance of the \
        record, `dr-accepted-signature`) per document bound the relay at ~18,000 documents/s on 2 \
        cores even if nothing else cost anything, about 0.2× of raw at 4 KiB. Reaching 0.6× raw needs \
        what the contract does not allow today (one hub signature over a batch of acks) or more \
        cores: the relay scales across cores and instances (the out topics' partitions are shared \
        in the group; `RelayGroupTests` runs two instances).
        """
}
