import DocRelayKafka
import Foundation
import Logging

let testLogger: Logger = {
    var logger = Logger(label: "docrelay.integration", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .error
    return logger
}()

func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

struct TestTimeout: Error {}

extension KafkaConsumer {
    /// Reads exactly `count` records, marking each processed, failing after `limit`.
    func take(_ count: Int, within limit: Duration = .seconds(60)) async throws -> [KafkaRecord] {
        try await withThrowingTaskGroup(of: [KafkaRecord]?.self) { group in
            group.addTask { [self] in
                var collected: [KafkaRecord] = []
                for try await record in self.records {
                    self.markProcessed(record)
                    collected.append(record)
                    if collected.count == count { break }
                }
                return collected
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let records = first else { throw TestTimeout() }
            return records
        }
    }
}

func consumerSettings(bootstrap: String) -> KafkaConsumerSettings {
    var settings = KafkaConsumerSettings(connection: KafkaSettings(bootstrap: bootstrap), groupID: uniqueName("group"))
    settings.sessionTimeout = .seconds(6)
    return settings
}
