import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 16: librdkafka's assignor crashes the process when a group member is subscribed to more
/// than 10,000 topics, so a hub past 10,000 agencies splits its `out` topics over several members
/// (`consumer.subscription-shards`, docs/relay.md).
@Suite("docrelay relay: the agencies' out topics split over several consumer group members", .serialized)
struct RelaySubscriptionShardsTests {
    static let agencies = (1...9).map { String(format: "000.00.%02d.H58", $0) }

    @Test("consumer.subscription-shards 3: every document delivered once; an agency whose topics are created while the relay runs is read without a restart")
    func threeMembers() async throws {
        let late = Self.agencies[8]
        let early = Array(Self.agencies.prefix(8))
        let harness = try await RelayHarness(agencies: Self.agencies, partitions: 2, subscriptionShards: 3, withoutAgencyTopics: [late])
        try await harness.startRelay(logLevel: "info")
        let relay = try #require(harness.relay)

        var random = SeededGenerator(seed: 16)
        var records: [KafkaProducerRecord] = []
        var expected: [String: [String: [UInt8]]] = [:]
        for index in 0..<60 {
            let from = early[Int.random(in: 0..<early.count, using: &random)]
            let to = early.filter { $0 != from }.shuffled(using: &random).prefix(2)
            let value = Array("Văn bản \(index) từ \(from)".utf8)
            let id = "shard-\(index)"
            records.append(try harness.document(value, from: from, to: Array(to), id: id))
            for code in to { expected[code, default: [:]][id] = value }
        }
        let producer = try harness.producer()
        _ = try await sendAll(records, with: producer)

        // The late agency: its topics once the relay has subscribed its members, then a
        // document each way.
        let subscribed = ContinuousClock.now.advanced(by: .seconds(60))
        while !relay.standardError.contains("consumer group members"), relay.isRunning, ContinuousClock.now < subscribed {
            try await Task.sleep(for: .milliseconds(100))
        }
        try harness.cluster.createTopic(harness.topics.out(late), partitions: 2)
        try harness.cluster.createTopic(harness.topics.inbox(late), partitions: 2)
        let fromLate = Array("Văn bản của cơ quan mới".utf8)
        let toLate = Array("Gửi cơ quan mới".utf8)
        _ = try await sendAll([
            try harness.document(fromLate, from: late, to: [early[0]], id: "from-late"),
            try harness.document(toLate, from: early[1], to: [late], id: "to-late"),
        ], with: producer)
        expected[early[0], default: [:]]["from-late"] = fromLate
        expected[late, default: [:]]["to-late"] = toLate
        await producer.close()

        // The relay picks the new out topic up within its 10 s look for new agencies and a join.
        let tally: (deliveries: Int, missing: Int, twice: Int)
        do {
            try await harness.waitUntilIdle(within: .seconds(120))
            tally = try await harness.deliveryTally(expected)
        } catch {
            Issue.record("\(error): the relay's log:\n\(relay.standardError.suffix(6000))")
            return
        }
        let (deliveries, missing, twice) = tally
        print("three members: \(deliveries) deliveries, \(missing) missing, \(twice) delivered twice")
        #expect(deliveries == 122)
        #expect(missing == 0, "\(relay.standardError.suffix(3000))")
        #expect(twice == 0, "the relay's rebalances:\n\(relayRebalanceLines(relay.standardError))")

        let log = relay.standardError
        #expect(log.contains("split over 3 consumer group members"), "\(log.suffix(3000))")
        #expect(log.contains("New agency out topics subscribed"), "\(log.suffix(3000))")
        let members = log.split(separator: "\n").filter {
            $0.contains("Partitions assigned") && $0.contains("kafka.group=docrelay-relay-national ")
        }
        #expect(members.count >= 3, "each member assigned its topics:\n\(members.joined(separator: "\n"))")
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0, "\(stopped?.standardError.suffix(2000) ?? "")")
    }

    @Test("10,002 agencies: one member (subscription-shards 1) is refused at start, naming the key; without the key the relay splits their out topics over 3 members")
    func pastLibrdkafkaLimit() async throws {
        let harness = try await RelayHarness(agencies: Array(Self.agencies.prefix(2)), partitions: 1)
        // 10,000 more agencies in the directory (each bound to a certificate fingerprint), and
        // their out topics.
        let directoryPath = harness.folder.appendingPathComponent("directory.yaml").path
        var directory = try String(contentsOfFile: directoryPath, encoding: .utf8)
        for index in 0..<10_000 {
            let code = "000.\(String(format: "%02d.%02d", index / 100, index % 100)).H59"
            try harness.cluster.createTopic(harness.topics.out(code), partitions: 1)
            directory += "  - code: \"\(code)\"\n    name: \"Cơ quan \(code)\"\n    hub: \"national\"\n    certificates:\n"
            directory += "      - sha256: \"\(String(repeating: "5c", count: 28))\(String(format: "%08x", index))\"\n"
        }
        try Data(directory.utf8).write(to: URL(fileURLWithPath: directoryPath))

        // One member, as configured: refused before librdkafka's assignor could crash.
        let oneMember = harness.folder.appendingPathComponent("hub-one.yaml").path
        let text = try String(contentsOfFile: harness.configPath, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "  session-timeout: 6s", with: "  session-timeout: 6s\n  subscription-shards: 1").utf8)
            .write(to: URL(fileURLWithPath: oneMember))
        let refused = try await runDocRelay(["relay", "--config", oneMember, "--log-level", "warning"], upTo: .seconds(120))
        print("one member, 10,002 out topics: exit \(refused.exitCode): \(refused.standardError.suffix(600))")
        #expect(refused.exitCode != 0)
        #expect(refused.standardError.contains("consumer.subscription-shards"), "\(refused.standardError.suffix(2000))")
        #expect(refused.standardError.contains("10002 agency out topics"), "\(refused.standardError.suffix(2000))")

        // Without the key: split, decided at start.
        try await harness.startRelay(logLevel: "notice")
        let relay = try #require(harness.relay)
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while !relay.standardError.contains("consumer group members"), relay.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(relay.standardError.contains("split over 3 consumer group members"), "\(relay.standardError.suffix(2000))")
        // The harness's 6 s session timeout is too short for the leader to assign 10,002
        // partitions: said, naming the key and the advised value (3 ms a partition).
        let advice = "consumer.session-timeout is short for 10002 partitions"
        while !relay.standardError.contains(advice), relay.isRunning, ContinuousClock.now < deadline.advanced(by: .seconds(60)) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(relay.standardError.contains(advice), "\(relay.standardError.suffix(2000))")
        #expect(relay.standardError.contains("Set consumer.session-timeout to 31s or more"), "\(relay.standardError.suffix(2000))")
        try await harness.killRelay()
    }
}
