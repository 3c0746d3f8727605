import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 12, point 5: a signed record over the hub's `limits.max-value-bytes`, through the real
/// relay and the real `docrelay dlq`.
@Suite("docrelay relay and dlq: a signed record over the hub's value limit")
struct OversizeRelayTests {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"

    @Test("Dead-lettered oversize with its value cut, one negative ack to the authentic sender; dlq replay refuses it (exit 1, nothing written, --force too); dlq list and show mark it")
    func oversizeRecord() async throws {
        let harness = try await RelayHarness(agencies: [Self.g22, Self.h58], maxValueBytes: 65_536)
        let value = Array(String(repeating: "Công văn số 12/UBND-VP. ", count: 4000).utf8.prefix(100_000))
        let document = try harness.document(value, from: Self.g22, to: [Self.h58], id: "doc-oversize")
        let producer = try harness.producer()
        try await producer.send(document)
        await producer.close()
        try await harness.startRelay()
        try await harness.waitUntil(harness.topics.deadLetters, holds: 1)
        try await harness.waitUntil(harness.topics.inbox(Self.g22), holds: 1)
        // Its events: dead-lettered, then acked once the ack is in the inbox. (The relay keeps
        // running: it has nothing more to do, and the harness stops it.)
        try await harness.waitUntil(harness.topics.events, holds: 2)

        let reader = try await KafkaTopicReader.connect(settings: harness.cluster.settings, logger: testLogger)
        let letters = try await reader.readAll(harness.topics.deadLetters)
        try #require(letters.count == 1)
        let letter = letters[0]
        #expect(letter.header(HeaderName.errorClass) == "oversize")
        #expect(letter.header(HeaderName.error) == "expected a value of at most 65536 bytes, not 100000")
        #expect(letter.value.count == 65_536)
        #expect(letter.header(HeaderName.valueSize) == "100000")
        #expect(letter.header(HeaderName.valueSHA256) == SHA256Hex.of(value))
        let inbox = try await reader.readAll(harness.topics.inbox(Self.g22))
        try #require(inbox.count == 1)
        #expect(inbox[0].header(HeaderName.kind) == "ack")
        #expect(inbox[0].header(HeaderName.from) == "hub:national")
        #expect(inbox[0].header(HeaderName.ref) == "doc-oversize")
        let ack = try #require(AckMessage.decode(inbox[0].value))
        #expect(ack.outcome == .failed)
        #expect(ack.ref == "doc-oversize" && ack.recipient == Self.h58)
        #expect(ack.reason == "oversize: expected a value of at most 65536 bytes, not 100000")
        #expect(try await harness.count(harness.topics.inbox(Self.h58)) == 0)
        await reader.close()

        // Replay: refused, named, exit 1, nothing written; --force and --all alike.
        let location = "\(letter.topic)/\(letter.partition)/\(letter.offset)"
        let why = "the value was cut to 65536 of 100000 bytes when it was dead-lettered: the document itself is gone; "
            + "ask the sender to send it again"
        let retry = "docrelay.retry.1s"
        for arguments in [["doc-oversize"], ["doc-oversize", "--force"], ["--all", "--dry-run"]] {
            let replay = try await runDocRelay(["dlq", "replay", "--config", harness.configPath] + arguments)
            #expect(replay.exitCode == 1, "\(arguments): \(replay.standardOutput) \(replay.standardError)")
            #expect(replay.standardError.contains("docrelay: \(location) (doc-oversize) cannot be replayed: \(why)"), "\(arguments)")
            #expect(replay.standardError.contains("docrelay: the dead letter selected cannot be replayed"), "\(arguments)")
            let summary = arguments.contains("--dry-run")
                ? "dry run: 0 would be replayed, 0 already replayed; 1 cannot be replayed; nothing written"
                : "0 replayed, 0 already replayed, 0 failed; 1 cannot be replayed"
            #expect(replay.standardOutput.split(separator: "\n").last.map(String.init) == summary, "\(arguments)")
        }
        #expect(try await harness.count(retry) == 0)
        #expect(try await harness.count(harness.topics.events) == 2, "no replayed event")

        // dlq list and show mark it.
        let json = try await runDocRelay(["dlq", "list", "--config", harness.configPath, "--json"])
        #expect(json.exitCode == 0, "\(json.standardError)")
        let lines = json.standardOutput.split(separator: "\n")
        try #require(lines.count == 1, "\(json.standardOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["id"] as? String == "doc-oversize")
        #expect(object["class"] as? String == "oversize")
        #expect(object["truncated"] as? Bool == true)
        #expect(object["replayable"] as? Bool == false)
        #expect(object["replay-refusal"] as? String == why)
        let list = try await runDocRelay(["dlq", "list", "--config", harness.configPath])
        let listLines = list.standardOutput.split(separator: "\n").map(String.init)
        #expect(listLines.first?.hasSuffix("\(location)  not replayable (truncated)") == true, "\(list.standardOutput)")
        #expect(listLines.last == "1 dead letter in docrelay.dlq; 0 replayed already; 1 cannot be replayed")

        let show = try await runDocRelay(["dlq", "show", "doc-oversize", "--config", harness.configPath])
        #expect(show.exitCode == 0, "\(show.standardError)")
        #expect(show.standardOutput.contains("  replay         cannot be replayed: \(why)\n"), "\(show.standardOutput)")
        #expect(show.standardOutput.contains("  truncated here: 65536 of 100000 bytes kept"))
        #expect(show.standardOutput.contains("sender\n  signed headers verified: 000.00.00.G22"))
    }
}
