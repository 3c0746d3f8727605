import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 13's acceptance, end to end with the real binaries: a 12 MiB edXML dropped into the
/// spool of a commune's agent (hub h58) reaches an agency of Tây Ninh (hub h53, inbox folder)
/// and one at the national hub (webhook) through the national hub, byte for byte, with the
/// delivered acks back at the sender and every hop in `trace`.
///
/// The embedded broker keeps about 5 MiB per partition and drops older data silently; the
/// sending agent paces the segments (`send.segment-pace`, 4 MiB/s) and every hop consumes while
/// it is produced (relays and agents pass a segment on in milliseconds), so no partition on the
/// way holds more than a few segments not yet read.
@Suite("Large documents from agent to agents across three hubs", .serialized)
struct LargeDocumentAgentsTests {
    static let commune = "000.07.12.H58"
    static let tayNinh = "000.21.32.H53"
    static let g22 = "000.00.00.G22"

    @Test("12 MiB edXML: spool at h58 → inbox folder at h53 and webhook at national, byte for byte; both delivered acks recorded by the sender; trace shows the hops; each relay's and agent's peak RSS within 64 MiB of its idle figure")
    func spoolToFolderAndWebhook() async throws {
        let tree = try await TreeHarness()
        try await tree.startRelays()
        let webhook = try await WebhookServer.start()
        defer { webhook.stop() }
        let sender = try AgentProcess(code: Self.commune, folder: tree.folder, send: true, inbox: true, segmentPace: 4 * 1_048_576)
        let folderAgent = try AgentProcess(code: Self.tayNinh, folder: tree.folder, send: false, inbox: true)
        let webhookAgent = try AgentProcess(code: Self.g22, folder: tree.folder, send: false, inbox: false, webhook: webhook.url)
        let agents = [sender, folderAgent, webhookAgent]
        for agent in agents { try await agent.start() }

        // Warm up: a small document along the same ways, so that every group has joined.
        let small = edXMLDocument(from: Self.commune, to: [Self.tayNinh, Self.g22], documentId: "\(Self.commune),2026/12/01,warm", subject: "Khởi động")
        try sender.drop("warm.edxml", small)
        try await Self.eventually("the warm-up document in both places") {
            folderAgent.inboxDocuments().count == 1 && webhook.accepted.count == 1
        }
        var idle: [String: Int] = [:]
        for (hub, relay) in tree.relays { idle["relay \(hub)"] = LargeDocumentTreeTests.rss(relay.processIdentifier).resident }
        for agent in agents {
            if let pid = agent.child?.processIdentifier { idle["agent \(agent.code)"] = LargeDocumentTreeTests.rss(pid).resident }
        }

        // 12 MiB of edXML: the header, then an attachment's base64.
        var random = SeededGenerator(seed: 1312)
        let attachment = Data(random.bytes(9 * 1_048_576)).base64EncodedString()
        let documentID = "\(Self.commune),2026/12/01,12MB"
        let large = edXMLDocument(
            from: Self.commune, to: [Self.tayNinh, Self.g22], documentId: documentID, subject: "Hồ sơ quét 12 MiB", content: attachment)
        #expect(large.count > 12 * 1_000_000)
        let started = Date()
        try sender.drop("ho-so-12mb.edxml", large)

        do {
            try await Self.eventually("the document in the inbox folder at h53 and through the webhook at national", within: .seconds(180)) {
                folderAgent.inboxDocuments().values.contains { $0.count == large.count } && webhook.accepted.count == 2
            }
        } catch {
            // What each process saw, to tell where it stopped.
            var lines = ["spool sent: \(sender.names(in: sender.sent)), rejected: \(sender.names(in: sender.rejected))"]
            for hub in TreeHarness.hubs {
                lines.append("\(hub) dlq: \(try await tree.count(tree.topics.deadLetters, on: tree.clusters[hub]!))")
                lines.append("relay \(hub): " + (tree.relays[hub]?.standardError.split(separator: "\n").suffix(8).joined(separator: "\n") ?? ""))
            }
            for agent in agents {
                lines.append("agent \(agent.code) refused: \(agent.names(in: agent.root.appendingPathComponent("refused")))")
                lines.append("agent \(agent.code): " + (agent.child?.standardError.split(separator: "\n").suffix(40).joined(separator: "\n") ?? ""))
            }
            Issue.record("\(error)\n\(lines.joined(separator: "\n"))")
            throw error
        }
        print("12 MiB edXML from the spool at h58 to h53's inbox folder and national's webhook: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let inFolder = try #require(folderAgent.inboxDocuments().values.first { $0.count == large.count })
        #expect(inFolder == large, "byte for byte in the inbox folder")
        let delivered = try #require(webhook.accepted.last)
        #expect(delivered.id == documentID)
        #expect(delivered.body == large, "byte for byte through the webhook")

        // The sender records both delivered acks.
        try await Self.eventually("the sender records both acks") {
            guard let state = try await sender.documentState(documentID),
                  let recipients = state["recipients"] as? [[String: Any]]
            else { return false }
            return recipients.count == 2 && recipients.allSatisfy { $0["transport"] as? String == "delivered" }
        }

        // trace from the national hub: every hub it passed.
        let trace = try await runDocRelay(["trace", documentID, "--config", tree.configPath("national")])
        #expect(trace.exitCode == 0, "\(trace.standardError)")
        for (hub, event) in [("h58", "forwarded"), ("national", "forwarded"), ("national", "delivered"), ("h53", "delivered")] {
            #expect(trace.standardOutput.split(separator: "\n").contains { $0.contains("\(hub)/") && $0.contains(" \(event) ") }, "\(hub) \(event) in:\n\(trace.standardOutput)")
        }

        // Memory: each process's peak against its idle figure.
        var peaks: [String: Int] = [:]
        for (hub, relay) in tree.relays { peaks["relay \(hub)"] = LargeDocumentTreeTests.rss(relay.processIdentifier).peak }
        for agent in agents {
            if let pid = agent.child?.processIdentifier { peaks["agent \(agent.code)"] = LargeDocumentTreeTests.rss(pid).peak }
        }
        for (name, peak) in peaks.sorted(by: { $0.key < $1.key }) {
            let growth = (peak - (idle[name] ?? 0)) / 1024
            print("\(name): idle \((idle[name] ?? 0) / 1024) MiB, peak \(peak / 1024) MiB, +\(growth) MiB")
            #expect(growth < 64, "\(name) grew by \(growth) MiB carrying 12 MiB")
        }
        for agent in agents { _ = try await agent.stop() }
        _ = try await tree.stopRelays()
    }

    static func eventually(
        _ what: String, within limit: Duration = .seconds(120), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError("not within \(limit): \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
