import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: several instances in one group", .serialized)
struct RelayGroupTests {
    @Test("Two relay instances share the partitions: every document delivered, by both instances, duplicates reported")
    func twoInstances() async throws {
        let agencies = (1...8).map { String(format: "000.00.%02d.H58", $0) }
        let harness = try await RelayHarness(agencies: agencies, partitions: 4)
        let (records, expected) = try harness.documents(2000, seed: 44)
        let producer = try harness.producer()
        _ = try await sendAll(Array(records.prefix(1000)), with: producer, width: 200)
        try harness.startRelay()
        // A second instance of the same hub, its own name, the same group.
        let second = harness.folder.appendingPathComponent("hub-2.yaml").path
        let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            .replacingOccurrences(of: "instance: relay-test", with: "instance: relay-test-2")
        try Data(text.utf8).write(to: URL(fileURLWithPath: second))
        let other = try ChildProcess(DocRelayBinary.path, ["relay", "--config", second, "--log-level", "warning"])
        _ = try await sendAll(Array(records.suffix(1000)), with: producer, width: 200)
        await producer.close()
        try await harness.waitUntilIdle()
        other.signal(SIGTERM)
        let otherExit = try await other.wait(upTo: .seconds(60))
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        #expect(otherExit.exitCode == 0, "\(otherExit.standardError)")

        let deliveries = expected.values.reduce(0) { $0 + $1.count }
        let seen = try await harness.inboxDocuments(expectedAtLeast: deliveries)
        var missing = 0
        var twice = 0
        for (inbox, documents) in expected {
            for id in documents.keys {
                guard let got = seen[inbox]?[id] else { missing += 1; continue }
                if got.copies > 1 { twice += 1 }
            }
        }
        let inboxes = try await harness.read(agencies.map(harness.topics.inbox), count: deliveries)
        let instances = Set(inboxes.compactMap { $0.header(HeaderName.hop)?.split(separator: "/").dropFirst().first.map(String.init) })
        print("two relay instances: \(deliveries) deliveries, \(missing) missing, \(twice) delivered twice; hops by \(instances.sorted())")
        #expect(missing == 0)
        #expect(instances == ["relay-test", "relay-test-2"], "both instances delivered")
    }
}
