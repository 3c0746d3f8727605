import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: several instances in one group", .serialized)
struct RelayGroupTests {
    @Test("Two relay instances share the partitions: every document delivered once, by both instances")
    func twoInstances() async throws {
        let agencies = (1...8).map { String(format: "000.00.%02d.H58", $0) }
        let harness = try await RelayHarness(agencies: agencies, partitions: 4)
        let (records, expected) = try harness.documents(2000, seed: 44)
        let producer = try harness.producer()
        _ = try await sendAll(Array(records.prefix(1000)), with: producer, width: 200)
        try await harness.startRelay()
        // A second instance of the same hub, its own name, the same group.
        let second = harness.folder.appendingPathComponent("hub-2.yaml").path
        let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            .replacingOccurrences(of: "instance: relay-test", with: "instance: relay-test-2")
        try Data(text.utf8).write(to: URL(fileURLWithPath: second))
        let other = try await ChildProcess(DocRelayBinary.path, ["relay", "--config", second, "--log-level", "warning"])
        _ = try await sendAll(Array(records.suffix(1000)), with: producer, width: 200)
        await producer.close()
        try await harness.waitUntilIdle()
        other.signal(SIGTERM)
        let otherExit = try await other.wait(upTo: .seconds(60))
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0)
        #expect(otherExit.exitCode == 0, "\(otherExit.standardError)")

        let (deliveries, missing, twice) = try await harness.deliveryTally(expected)
        let inboxes = try await harness.read(agencies.map(harness.topics.inbox), count: deliveries)
        let instances = Set(inboxes.compactMap { $0.header(HeaderName.hop)?.split(separator: "/").dropFirst().first.map(String.init) })
        print("two relay instances: \(deliveries) deliveries, \(missing) missing, \(twice) delivered twice; hops by \(instances.sorted())")
        #expect(missing == 0)
        #expect(twice == 0, "a member joining and a graceful stop re-deliver nothing processed")
        #expect(instances == ["relay-test", "relay-test-2"], "both instances delivered")
    }

    @Test("A rolling restart: a second instance joins mid-stream, the first stops 5 s later; nothing lost, nothing delivered twice")
    func rollingRestartDeliversNothingTwice() async throws {
        let agencies = (1...8).map { String(format: "000.00.%02d.H58", $0) }
        let harness = try await RelayHarness(agencies: agencies, partitions: 3)
        let (records, expected) = try harness.documents(240, seed: 45)
        let producer = try harness.producer()
        try await harness.startRelay(logLevel: "info")  // its rebalances, shown if anything comes twice
        let second = harness.folder.appendingPathComponent("hub-2.yaml").path
        let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            .replacingOccurrences(of: "instance: relay-test", with: "instance: relay-test-2")
        try Data(text.utf8).write(to: URL(fileURLWithPath: second))

        // 240 documents at about 16 a second; the second instance joins after the first 60,
        // the first gets SIGTERM 5 s later, while documents keep coming.
        var other: ChildProcess?
        var firstStop: ProcessResult?
        let clock = ContinuousClock()
        var joined: ContinuousClock.Instant?
        for (index, record) in records.enumerated() {
            _ = try await sendAll([record], with: producer, width: 1)
            if index == 60 {
                other = try await ChildProcess(DocRelayBinary.path, ["relay", "--config", second, "--log-level", "info"])
                joined = clock.now
            }
            if let since = joined, firstStop == nil, clock.now - since >= .seconds(5) {
                firstStop = try await harness.stopRelay()
            }
            try await Task.sleep(for: .milliseconds(60))
        }
        await producer.close()
        if firstStop == nil { firstStop = try await harness.stopRelay() }
        try await harness.waitUntilIdle()
        other?.signal(SIGTERM)
        let otherExit = try await other?.wait(upTo: .seconds(60))
        #expect(firstStop?.exitCode == 0, "\(firstStop?.standardError ?? "")")
        #expect(otherExit?.exitCode == 0, "\(otherExit?.standardError ?? "")")

        let (deliveries, missing, twice) = try await harness.deliveryTally(expected)
        print("rolling restart: \(deliveries) deliveries, \(missing) missing, \(twice) delivered twice")
        #expect(missing == 0)
        // A graceful stop and a member joining re-deliver nothing processed (issue 10, point 1):
        // 0 in 15 runs here, 12 of them beside three CPU hogs and other builds.
        #expect(twice == 0, """
            the first instance's rebalances:
            \(relayRebalanceLines(firstStop?.standardError ?? ""))
            the second's:
            \(relayRebalanceLines(otherExit?.standardError ?? ""))
            """)
    }
}
