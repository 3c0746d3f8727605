import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("dlq replay through the real relay", .serialized)
struct ReplayThroughRelayTests {
    static let g22 = "000.00.00.G22"
    static let h53 = "000.00.32.H53"

    @Test("A recipient without an inbox: exhausted, then, once the inbox exists, one replay delivers it exactly once; trace tells it all")
    func replayDeliversOnce() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h53], withoutInbox: [Self.h53], tiers: ["1s", "2s"])
        try await harness.startRelay()
        let document = try harness.document(Array("Giấy mời họp".utf8), from: Self.g22, to: [Self.h53], id: "doc-no-inbox")
        let producer = try harness.producer()
        _ = try await producer.send(document)
        await producer.close()

        try await harness.waitUntil(harness.topics.deadLetters, holds: 1, within: .seconds(120))
        let listed = try await runDocRelay(["dlq", "list", "--config", harness.configPath, "--json"])
        #expect(listed.exitCode == 0, "\(listed.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any])
        #expect(summary["id"] as? String == "doc-no-inbox")
        #expect(summary["class"] as? String == "exhausted")
        let location = try #require(summary["location"] as? String)
        // The sender is told: a negative ack for the recipient that could not be served.
        try await harness.waitUntil(harness.topics.inbox(Self.g22), holds: 1)
        let negative = try await harness.read([harness.topics.inbox(Self.g22)], count: 1, quiet: .seconds(1))
            .compactMap { AckMessage.decode($0.value) }
        #expect(negative.map(\.outcome) == [.failed])
        #expect(negative.first?.recipient == Self.h53)
        #expect(negative.first?.reason?.hasPrefix("exhausted:") == true)

        try harness.cluster.createTopic(harness.topics.inbox(Self.h53), partitions: 3)
        let replayed = try await runDocRelay(["dlq", "replay", "doc-no-inbox", "--config", harness.configPath])
        #expect(replayed.exitCode == 0, "\(replayed.standardError)")
        #expect(replayed.standardOutput.contains("replayed \(location) (doc-no-inbox) → docrelay.retry.1s["))

        try await harness.waitUntil(harness.topics.inbox(Self.h53), holds: 1, within: .seconds(60))
        let again = try await runDocRelay(["dlq", "replay", location, "--config", harness.configPath])
        #expect(again.exitCode == 0)
        #expect(again.standardOutput.contains("already replayed at "))
        // Time for a second delivery to show, were there one.
        try await Task.sleep(for: .seconds(4))
        let inbox = try await harness.read([harness.topics.inbox(Self.h53)], count: 1, quiet: .seconds(1))
        #expect(inbox.count == 1)
        #expect(inbox.first?.value == document.value)
        #expect(inbox.first?.header(HeaderName.id) == "doc-no-inbox")

        let trace = try await runDocRelay(["trace", "doc-no-inbox", "--config", harness.configPath])
        #expect(trace.exitCode == 0, "\(trace.standardError)")
        let events = trace.standardOutput.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            .compactMap { $0.count > 2 ? String($0[2]) : nil }
        #expect(events.first == "accepted", "\(trace.standardOutput)")
        for kind in ["retried", "dead-lettered", "in-dlq", "replayed", "delivered"] {
            #expect(events.contains(kind), "\(kind) in \(trace.standardOutput)")
        }
        #expect(events.filter { $0 == "delivered" }.count == 1, "delivered once: \(trace.standardOutput)")
        let order = ["dead-lettered", "replayed", "delivered"].compactMap { events.firstIndex(of: $0) }
        #expect(order.count == 3 && order == order.sorted(), "\(trace.standardOutput)")
        _ = try await harness.stopRelay()
    }
}
