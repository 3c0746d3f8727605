public import DocRelayKafka
import Foundation
public import Logging
import Synchronization

/// Errors only: the suite's output stays readable, and what goes wrong is still shown.
public let testLogger: Logger = {
    var logger = Logger(label: "docrelay.test", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .error
    return logger
}()

/// A name no other test uses (topics, groups).
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

public struct TestTimeout: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "timed out: \(what)" }
}

/// Runs `operation`, failing with `TestTimeout` if it takes longer than `limit`.
public func within<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TestTimeout(what: what) }
        return value
    }
}

extension KafkaConsumerSettings {
    /// A consumer that rejoins quickly after another member left (the mock cluster waits
    /// `session.timeout.ms` − 1 s otherwise) and sees new topics within a second.
    public static func test(bootstrap: String, group: String) -> KafkaConsumerSettings {
        var settings = KafkaConsumerSettings(connection: KafkaSettings(bootstrap: bootstrap), groupID: group)
        settings.sessionTimeout = .seconds(6)
        settings.topicRefreshInterval = .seconds(1)
        return settings
    }

    public static func test(_ cluster: EmbeddedKafkaCluster, group: String) -> KafkaConsumerSettings {
        test(bootstrap: cluster.bootstrapServers, group: group)
    }
}

extension KafkaConsumer {
    /// Reads exactly `count` records (marking each processed unless told not to), failing
    /// after `limit`.
    public func take(
        _ count: Int, within limit: Duration = .seconds(60), markProcessed: Bool = true
    ) async throws -> [KafkaRecord] {
        guard count > 0 else { return [] }
        return try await DocRelayTestSupport.within(limit, "\(count) records") { [self] in
            var collected: [KafkaRecord] = []
            for try await record in self.records {
                if markProcessed { self.markProcessed(record) }
                collected.append(record)
                if collected.count == count { break }
            }
            return collected
        }
    }

    /// Records that arrive within `quietPeriod` (expected: none).
    public func extra(during quietPeriod: Duration) async throws -> [KafkaRecord] {
        let collected = Mutex<[KafkaRecord]>([])
        _ = try? await DocRelayTestSupport.within(quietPeriod, "quiet period") { [self] in
            for try await record in self.records {
                collected.withLock { $0.append(record) }
            }
            return true
        }
        return collected.withLock { $0 }
    }
}

/// Sends `records` concurrently, at most `width` at a time, and returns their reports in order.
public func sendAll(
    _ records: [KafkaProducerRecord], with producer: KafkaProducer, width: Int = 200
) async throws -> [KafkaDeliveryReport] {
    try await withThrowingTaskGroup(of: (Int, KafkaDeliveryReport).self) { group in
        var reports = [KafkaDeliveryReport?](repeating: nil, count: records.count)
        var next = 0
        func launch() {
            let index = next
            let record = records[index]
            group.addTask { (index, try await producer.send(record)) }
            next += 1
        }
        while next < min(width, records.count) { launch() }
        while let (index, report) = try await group.next() {
            reports[index] = report
            if next < records.count { launch() }
        }
        return reports.compactMap { $0 }
    }
}

/// Random bytes, reproducible from `seed`.
public func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}
