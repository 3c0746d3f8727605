extension BenchReport {
    /// Where the relay's CPU goes: a profile made by hand (not by `make bench`), dated, to be
    /// redone when the relay changes. How: `docrelay-bench relay --size 4096 --records 8000
    /// --progress` prints when the throughput phase begins; `perf record -F 997 --call-graph
    /// dwarf -p <pid> -- sleep 3.5` then samples only that phase.
    static let relayProfile = """
        ### What bounds the relay (profile of 2026-11-29, 4 KiB, release build)

        The relay is CPU-bound: it keeps both cores busy (the mock broker and librdkafka's threads \
        included) at 0.7–1 ms of CPU per document, so 2 cores carry ~2,000 documents/s whatever the \
        concurrency (1,024 or 2,048 workers instead of 256 changed the rate by less than the noise \
        between runs, and lengthened every wait). \
        `perf record --call-graph dwarf` over the throughput phase, share of the whole process's CPU:

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

        So a third of the CPU makes acks, and of that only a sixth is the signature; the Kafka work \
        is a fifth; verifying the document is a seventh. Suggestions for the relay, in order of gain \
        (each a change in `Sources/DocRelay`, not made here):

        1. **Sign acks without OpenSSL's CMS builder** (−25% CPU, ~1.3× throughput). Everything in \
        an ack's SignedData but three signed attributes and the signature is the same for every ack of \
        a hub: encode it once (certificate, algorithm identifiers, signer identifier), and per ack \
        write the signed attributes' DER by hand (content type, signing time, message digest), sign it \
        with `EVP_DigestSign` (~36 µs: `openssl speed ecdsap256` signs 27.8k/s per core) and splice; \
        `FastCMSVerifier` already reads such DER without OpenSSL's decoder. Skip the self-check \
        `Envelope.decode` for headers the relay built itself (keep it in tests), and compute the hub's \
        code from its certificate once.
        2. **Encode events and acks by hand** (−9%, ~1.1×). `RelayEvent` and `AckMessage` have \
        fixed fields; writing their JSON into one `[UInt8]` costs a few µs instead of ~30 µs each \
        through `JSONEncoder`'s boxing.
        3. **Two round trips per document instead of four** (−5 to −10% CPU, about half the \
        latency). Today a worker awaits the delivery, then the `accepted`/`delivered` events, then \
        the ack, then the `acked` event, each through a task group or an `AsyncStream` and \
        continuations. Only the delivery must be durable before the ack: send the ack and the events \
        together once the delivery is acknowledged, with `KafkaProducer.send(_:onDelivery:)` and a \
        per-document countdown that marks the record processed from the last callback.
        4. **Cheaper header decoding** (−3 to −5%): a table-driven base64 over the header's bytes \
        and no `String` per header line in `HeaderReader`.
        5. **Latency: do not wait for a full batch** (in `DocRelayKafka`). Of the ~55 ms p50 at 40% \
        load, ~25 ms is `KafkaConsumer`'s poll thread waiting in `rd_kafka_consume_batch_queue(queue, \
        50, …, 256)`, which returns only when 256 records are there or 50 ms passed: below full load \
        every record waits for the timeout. Taking the first record with `rd_kafka_consume_queue(queue, \
        50)` and the rest with a zero timeout cut the p50 from 54 to 26 ms and the p99 from 84 to 43 ms \
        in a trial (the p50 until the inbox write from 40 to 12 ms), throughput unchanged.

        Together these would bring the relay to ~0.4 ms per document, ~2× today's throughput. The \
        crypto alone sets a floor far below the aim: an RSA-2048 verification (~30–40 µs) and an \
        ECDSA P-256 signature (~36 µs) per document bound the relay at ~25,000 documents/s on 2 cores \
        even if nothing else cost anything, about 0.3× of raw at 4 KiB. Reaching 0.6× raw needs what \
        the contract does not allow today (one hub signature over a batch of acks) or more cores (the \
        relay scales across cores and instances: the out topics' partitions are shared in the group).
        """
}
