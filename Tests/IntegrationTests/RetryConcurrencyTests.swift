import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: retry partitions handled at once, in order within each", .serialized)
struct RetryConcurrencyTests {
    static let g22 = "000.00.00.G22"
    /// One recipient per record, none with an inbox: the producer learns each topic is missing
    /// only after waiting for it (a second record to the same missing topic fails at once).
    static let recipients = (1...12).map { String(format: "000.00.%02d.H53", $0) }

    @Test("12 slow retries on 4 partitions take about the slowest partition's time, not the sum; order kept per partition")
    func slowRetriesConcurrently() async throws {
        // No recipient has an inbox: each delivery fails only after the attempt timeout. One tier, and the
        // records are at attempt 1 already: each is dead-lettered (exhausted) once its delivery fails.
        let attemptTimeout = 2.0
        let partitions = 4
        let perPartition = 3
        let harness = try await RelayHarness(
            agencies: [Self.g22] + Self.recipients, withoutInbox: Set(Self.recipients), tiers: ["1s"], partitions: partitions,
            attemptTimeout: "\(Int(attemptTimeout))s")
        let producer = try harness.producer()
        let due = RFC3339.format(Date().addingTimeInterval(-1), fractionalDigits: 3)
        for index in 0..<perPartition {
            for partition in 0..<partitions {
                let recipient = Self.recipients[partition * perPartition + index]
                var record = try harness.document(
                    Array("Công văn \(partition)-\(index)".utf8), from: Self.g22, to: [recipient], id: "slow-\(partition)-\(index)")
                record.topic = "docrelay.retry.1s"
                record.partition = Int32(partition)
                record.headers += [
                    KafkaHeader(name: HeaderName.attempt, string: "1"),
                    KafkaHeader(name: HeaderName.notBefore, string: due),
                    KafkaHeader(name: HeaderName.pendingTo, string: recipient),
                ]
                _ = try await producer.send(record)
            }
        }
        await producer.close()
        let count = partitions * perPartition

        try await harness.startRelay()
        try await harness.waitUntil(harness.topics.deadLetters, holds: Int64(count), within: .seconds(180))
        let letters = try await harness.read([harness.topics.deadLetters], count: count, quiet: .seconds(1)).map(DeadLetter.init)
        _ = try await harness.stopRelay()

        #expect(letters.count == count)
        #expect(letters.allSatisfy { $0.errorClass == "exhausted" }, "\(letters.map(\.reason))")
        // Each dead letter carries the time its handling began.
        let started = letters.compactMap { letter -> (partition: Int, index: Int, at: Date)? in
            let parts = String(decoding: letter.key ?? [], as: UTF8.self).split(separator: "-")
            guard parts.count == 3, let partition = Int(parts[1]), let index = Int(parts[2]), let at = letter.deadLetteredAt else { return nil }
            return (partition, index, at)
        }.sorted { $0.at < $1.at }
        #expect(started.count == count)
        guard let first = started.first?.at, let last = started.last?.at else { return }
        let handling = last.timeIntervalSince(first) + attemptTimeout
        let serial = Double(count) * attemptTimeout
        print(
            "\(count) retries of \(attemptTimeout) s each on \(partitions) partitions: handled in \(String(format: "%.1f", handling)) s; "
                + "one at a time would take \(String(format: "%.1f", serial)) s; the slowest partition alone \(String(format: "%.1f", Double(perPartition) * attemptTimeout)) s")
        #expect(handling < serial / 2)
        for partition in 0..<partitions {
            let order = started.filter { $0.partition == partition }.map(\.index)
            #expect(order == Array(0..<perPartition), "partition \(partition) handled in order \(order)")
        }
        // (Not asserted: the spacing within a partition. Once the producer's metadata says a topic
        // is missing, a later record to another missing topic named in the same answer fails in
        // milliseconds, so a record may take far less than the attempt timeout.)
    }
}
