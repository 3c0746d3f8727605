import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 10, point 3: every record reaches a terminal state in bounded time, even one whose
/// dead letter the broker refuses, or whose retry topic does not exist.
@Suite("docrelay relay: poison records and writes refused for good", .serialized)
struct RelayPoisonTests {
    static let agencies = ["000.00.01.H53", "000.00.02.H53"]

    @Test("8 poison records (dr-signature AAAA, ten 120 KB unknown headers) then a genuine document, 8 workers: the document is delivered, none of them retried, each poison record dead-lettered oversize")
    func poison() async throws {
        let harness = try await RelayHarness(agencies: Self.agencies, partitions: 8, workers: 8)
        // The poison records are 1.2 MB: over the producer's default limit, so this producer takes 2 MB.
        var settings = KafkaProducerSettings(connection: harness.cluster.settings)
        settings.maxRecordBytes = 2_000_000
        let producer = try KafkaProducer(settings: settings, logger: testLogger)
        let padding = (0..<10).map { KafkaHeader(name: "x-pad-\($0)", value: [UInt8](repeating: 0x78, count: 122_880)) }
        for index in 0..<8 {
            var poison = try harness.document(Array("poison \(index)".utf8), from: Self.agencies[0], to: [Self.agencies[1]], id: "poison-\(index)")
            poison.headers = poison.headers.map { $0.name == HeaderName.signature ? KafkaHeader(name: $0.name, string: "AAAA") : $0 } + padding
            poison.partition = Int32(index)  // one per partition: the mock keeps ~5 MiB per partition
            try await producer.send(poison)
        }
        try await harness.startRelay()
        let started = ContinuousClock.now
        try await producer.send(try harness.document(Array("genuine".utf8), from: Self.agencies[0], to: [Self.agencies[1]], id: "genuine"))
        await producer.close()

        // Usually within 5 s; 25 s once on a loaded CI machine, so the waits are the bounds.
        // What tells a jam from a slow machine: no poison record went through a retry tier.
        try await harness.waitUntilDocuments(in: Self.agencies[1], reach: 1, within: .seconds(60))
        let delivered = ContinuousClock.now - started
        try await harness.waitUntil(harness.topics.deadLetters, holds: 8, within: .seconds(60))
        let terminal = ContinuousClock.now - started
        print("poison: genuine document delivered \(delivered) after the relay started; all 8 poison records dead-lettered after \(terminal)")
        for tier in harness.tiers {
            #expect(try await harness.count("docrelay.retry.\(tier)") == 0, "a poison record retried through \(tier)")
        }

        let letters = try await harness.read([harness.topics.deadLetters], count: 8)
        #expect(letters.count == 8, "each poison record dead-lettered once")
        for letter in letters {
            #expect(letter.header(HeaderName.errorClass) == "oversize")
            #expect(letter.header(HeaderName.error) == "x-pad-0: expected a value of at most 16384 bytes, not 122880")
            #expect(letter.header(HeaderName.signature) == "AAAA", "the contract's headers kept")
            #expect(letter.header(HeaderName.droppedHeaders)?.hasPrefix("x-pad-0 (122880 B), x-pad-1 (122880 B)") == true)
            #expect(!letter.headers.contains { $0.name.hasPrefix("x-pad-") })
        }
        try await harness.waitUntilIdle(within: .seconds(30))
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
    }

    @Test("A retry topic that does not exist: the record is dead-lettered exhausted, naming the topic, in bounded time; the sender is told")
    func missingRetryTopic() async throws {
        let harness = try await RelayHarness(
            agencies: Self.agencies, withoutInbox: [Self.agencies[1]], tiers: ["1s"], withoutTopics: ["docrelay.retry.1s"])
        try await harness.startRelay()
        let started = ContinuousClock.now
        let producer = try harness.producer()
        try await producer.send(try harness.document(Array("to an inbox not there".utf8), from: Self.agencies[0], to: [Self.agencies[1]], id: "no-tier"))
        await producer.close()
        // The bound: a relay that retried a missing topic forever would never dead-letter it.
        // (Not a tighter wall-clock bound: a loaded CI run took 36 s for this whole test.)
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1, within: .seconds(60))
        print("missing retry topic: dead-lettered \(ContinuousClock.now - started) after the document was sent")
        let letter = try #require(try await harness.read([harness.topics.deadLetters], count: 1).first)
        #expect(letter.header(HeaderName.errorClass) == "exhausted")
        #expect(letter.header(HeaderName.error)?.hasPrefix("retry topic docrelay.retry.1s does not exist") == true, "\(letter.header(HeaderName.error) ?? "")")
        #expect(letter.header(HeaderName.pendingTo) == Self.agencies[1])
        try await harness.waitUntilDocuments(in: Self.agencies[0], reach: 1, within: .seconds(30))  // the negative ack
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
    }

    @Test("No dead-letter topic at all: a refused record's minimal dead letter is refused too, so the relay stops with an error (exit non-zero) instead of looping")
    func missingDeadLetterTopic() async throws {
        let harness = try await RelayHarness(agencies: Self.agencies, withoutTopics: [TopicNames().deadLetters])
        try await harness.startRelay(logLevel: "error")
        let started = ContinuousClock.now
        let producer = try harness.producer()
        var forged = try harness.document(Array("x".utf8), from: Self.agencies[0], to: [Self.agencies[1]], id: "forged")
        forged.headers = forged.headers.map { $0.name == HeaderName.signature ? KafkaHeader(name: $0.name, string: "AAAA") : $0 }
        try await producer.send(forged)
        await producer.close()
        let relay = try #require(harness.relay)
        let result = try await relay.wait(upTo: .seconds(60))
        print("missing dead-letter topic: relay exited \(result.exitCode) \(ContinuousClock.now - started) after the record was sent")
        #expect(result.exitCode != 0)
        #expect(result.standardError.contains("Relay halted"))
    }
}
