import Foundation
import Synchronization

extension KafkaProducer {
    /// Sends `count` records made one at a time by `record(index)`, in order, with at most
    /// `window` of them handed to librdkafka and not yet acknowledged: the segments of a large
    /// document, which must neither all sit in memory at once nor all wait in librdkafka's queue.
    /// `bytesPerSecond` > 0 spaces them out so that the values go at most that fast (an operator's
    /// knob: a broker that keeps little, a shared link). Records are enqueued in index order, so
    /// an idempotent producer keeps them in that order in their partition.
    ///
    /// Returns every record's delivery report, in order; throws the first failure (records
    /// enqueued after it may still be written: a caller sends the whole sequence again, and its
    /// readers start over).
    public func sendInOrder(
        count: Int, window: Int = 3, bytesPerSecond: Int = 0,
        record: (Int) throws -> KafkaProducerRecord
    ) async throws -> [KafkaDeliveryReport] {
        let (reports, continuation) = AsyncStream<(Int, Result<KafkaDeliveryReport, KafkaError>)>.makeStream()
        var iterator = reports.makeAsyncIterator()
        var collected = [KafkaDeliveryReport?](repeating: nil, count: count)
        var outstanding = 0
        var failure: (any Error)?
        let clock = ContinuousClock()
        let start = clock.now
        var bytesSent = 0

        func settle() async {
            guard let (index, result) = await iterator.next() else { return }
            outstanding -= 1
            switch result {
            case .success(let report): collected[index] = report
            case .failure(let error): if failure == nil { failure = error }
            }
        }

        for index in 0..<count {
            while outstanding >= max(1, window) { await settle() }
            if failure != nil { break }
            if bytesPerSecond > 0, bytesSent > 0 {
                let due = start.advanced(by: .milliseconds(Int64(bytesSent) * 1_000 / Int64(bytesPerSecond)))
                if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
            }
            let next: KafkaProducerRecord
            do {
                next = try record(index)
            } catch {
                failure = error
                break
            }
            bytesSent += next.value.count
            outstanding += 1
            await send(next) { result in continuation.yield((index, result)) }
        }
        while outstanding > 0 { await settle() }
        continuation.finish()
        if let failure { throw failure }
        return collected.compactMap { $0 }
    }
}
