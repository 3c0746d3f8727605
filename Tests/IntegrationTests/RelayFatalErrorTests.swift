import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: a fatal producer error", .serialized)
struct RelayFatalErrorTests {
    @Test("A fatal producer error (OUT_OF_ORDER_SEQUENCE_NUMBER) stops the relay with exit 1 instead of retrying; restarted, it delivers everything")
    func fatalProducerErrorExitsAndRestartDeliversAll() async throws {
        let agencies = (1...5).map { String(format: "000.00.%02d.H54", $0) }
        let harness = try await RelayHarness(agencies: agencies)
        let (records, expected) = try harness.documents(300, seed: 12)
        let producer = try harness.producer()
        _ = try await sendAll(records, with: producer, width: 100)
        await producer.close()
        let deliveries = expected.values.reduce(0) { $0 + $1.count }

        // The relay's first writes meet a broken idempotence sequence: librdkafka raises a fatal error.
        harness.cluster.pushRequestErrors(apiKey: 0, [.outOfOrderSequenceNumber])  // Produce
        let clock = ContinuousClock()
        let started = clock.now
        try await harness.startRelay(logLevel: "info")
        guard let relay = harness.relay else { Issue.record("the relay did not start"); return }
        let result = try await relay.wait(upTo: .seconds(90))
        let exitedAfter = clock.now - started
        try? result.standardError.write(toFile: "/tmp/fatal-relay.log", atomically: true, encoding: .utf8)
        print("fatal producer error: the relay exited \(result.exitCode) after \(exitedAfter) (3 s of it the mock's first group join)")
        #expect(result.exitCode == 1, "\(result.standardError)")
        // Usually 5-6 s (the start and the first group join take about 4 s), but 20 s once on a
        // loaded CI machine: the bound only tells a halt from retrying forever.
        #expect(exitedAfter < .seconds(60), "a halt, not a relay retrying forever")
        #expect(result.standardError.contains("failed fatally"), "\(result.standardError.suffix(2000))")

        try await harness.startRelay()
        try await harness.waitUntilIdle()
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        let seen = try await harness.inboxDocuments()
        var missing = 0
        for (inbox, documents) in expected {
            for (id, value) in documents {
                guard let got = seen[inbox]?[id] else { missing += 1; continue }
                #expect(got.value == value)
            }
        }
        print("fatal producer error, then a restart: \(deliveries) deliveries expected, \(missing) missing")
        #expect(missing == 0)
        #expect(try await harness.count(harness.topics.deadLetters) == 0)
    }
}
