import DocRelayKafka
import Foundation

/// Documents a benchmark signs as agencies would and publishes to their out topics.
protocol SignedDocumentSource: Sendable {
    /// Documents `range`, signed with `created` as their `dr-created`.
    func sign(_ range: Range<Int>, created: Date) throws -> [KafkaProducerRecord]
}

extension SignedDocumentSource {
    /// Signs documents `range` `chunk` at a time on a thread of its own and produces each
    /// chunk before signing the next (so that no more than a chunk is held here); returns once
    /// every record is acknowledged, and throws if any was refused.
    func produce(_ range: Range<Int>, with producer: KafkaProducer, chunk: Int) async throws {
        let failures = LockedCounter()
        let created = Date()
        var start = range.lowerBound
        while start < range.upperBound {
            let chunkRange = start..<min(start + chunk, range.upperBound)
            let records = try await DedicatedThread.run(name: "docrelay-bench-sign") { [self] in
                try sign(chunkRange, created: created)
            }
            for record in records {
                await producer.send(record) { result in
                    if case .failure = result { failures.increment() }
                }
            }
            start = chunkRange.upperBound
        }
        try await producer.flush(timeout: .seconds(120))
        guard failures.value == 0 else { throw BenchFailure("\(failures.value) documents not accepted by the cluster") }
    }
}
