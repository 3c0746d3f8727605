import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Testing

/// A hub's Kafka (embedded in the test), its PKI, directory and hub.yaml, with dead letters and
/// events written by the test as the relay writes them; the real `docrelay` binary reads them.
private final class OperatorScene: @unchecked Sendable {
    static let g22 = "000.00.00.G22"
    static let h58 = "000.00.00.H58"
    static let h53 = "000.00.32.H53"
    static let h41 = "000.00.00.H41"

    let harness: RelayHarness
    let producer: KafkaProducer
    private var nextOffset: Int64 = 0

    init() async throws {
        harness = try await RelayHarness(agencies: [Self.g22, Self.h58, Self.h53, Self.h41], tiers: ["1s", "2s"])
        producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: harness.cluster.settings), logger: testLogger)
    }

    var config: String { harness.configPath }
    var bootstrap: String { harness.cluster.bootstrapServers }
    var topics: TopicNames { harness.topics }

    /// Writes the dead letter of `original` (a record of an `out` topic) and returns its location.
    @discardableResult
    func deadLetter(
        _ original: KafkaProducerRecord, errorClass: ErrorClass, reason: String, pendingTo: [String]? = nil,
        at time: Date = Date(), maxValueBytes: Int = 1_048_576
    ) async throws -> String {
        nextOffset += 1
        let consumed = KafkaRecord(
            topic: original.topic, partition: 0, offset: nextOffset, key: original.key, value: original.value,
            headers: original.headers)
        let record = DeadLetter.record(
            for: consumed, errorClass: errorClass, reason: reason, pendingTo: pendingTo, topics: topics, at: time,
            maxValueBytes: maxValueBytes, keptBytes: 512)
        let report = try await producer.send(record)
        return "\(report.topic)/\(report.partition)/\(report.offset)"
    }

    /// Writes `event` to the events topic, keyed by its document id.
    func write(_ event: RelayEvent) async throws {
        _ = try await producer.send(KafkaProducerRecord(topic: topics.events, key: Array(event.id.utf8), value: event.encoded()))
    }

    func document(_ text: String, from: String, to: [String], id: String) throws -> KafkaProducerRecord {
        try harness.document(Array(text.utf8), from: from, to: to, id: id)
    }

    /// An edXML status signed by its sender, H41, as the agency would publish it.
    func edXMLStatus() throws -> KafkaProducerRecord {
        let url = try #require(Bundle.module.url(forResource: "status-01-received", withExtension: "edxml", subdirectory: "Fixtures"))
        let value = try Array(Data(contentsOf: url))
        let signed = try DocumentSigner.sign(value, draft: DocumentDraft(), identity: try harness.identity(Self.h41))
        return KafkaProducerRecord(
            topic: topics.out(Self.h41), key: Array(signed.id.utf8), value: value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    /// Every record of `topic` now.
    func records(_ topic: String) async throws -> [KafkaRecord] {
        let reader = try await KafkaTopicReader.connect(settings: harness.cluster.settings, logger: testLogger)
        let records = try await reader.readAll(topic)
        await reader.close()
        return records
    }

    func close() async {
        await producer.close()
    }
}

private extension ProcessResult {
    var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

@Suite("docrelay dlq, trace: operators over the real binary")
struct OperatorCommandTests {
    @Test("dlq list: every dead letter, each filter, JSON lines, replays counted; bad filters and missing topics")
    func list() async throws {
        let scene = try await OperatorScene()
        let now = Date()
        let signature = try await scene.deadLetter(
            try scene.document("Công văn 1", from: OperatorScene.g22, to: [OperatorScene.h58], id: "doc-signature"),
            errorClass: .signature, reason: "dr-sha256: the value's SHA-256 is not the signed one", at: now.addingTimeInterval(-3 * 3600))
        let exhausted = try await scene.deadLetter(
            try scene.document("Công văn 2", from: OperatorScene.h58, to: [OperatorScene.g22, OperatorScene.h53], id: "doc-exhausted"),
            errorClass: .exhausted, reason: "docrelay.in.000.00.32.H53: unknown topic", pendingTo: [OperatorScene.h53],
            at: now.addingTimeInterval(-3600))
        _ = try await scene.deadLetter(
            KafkaProducerRecord(topic: scene.topics.out(OperatorScene.g22), key: nil, value: [0, 1, 2, 3]),
            errorClass: .malformed, reason: "dr-id: expected every signed header exactly once, not none", at: now.addingTimeInterval(-60))
        var replayed = RelayEvent(event: .replayed, id: "doc-exhausted", hub: "national", instance: "docrelay-dlq", at: "2026-11-29T01:00:00.000Z")
        replayed.deadLetter = exhausted
        try await scene.write(replayed)

        let all = try await runDocRelay(["dlq", "list", "--config", scene.config])
        #expect(all.exitCode == 0, "\(all.standardError)")
        try #require(all.lines.count == 4, "\(all.standardOutput)")
        #expect(all.lines[0].contains("  signature  doc-signature  000.00.00.G22 → 000.00.00.H58  dr-sha256: "))
        #expect(all.lines[0].hasSuffix("  \(signature)"))
        #expect(all.lines[1].contains("  exhausted  doc-exhausted  000.00.00.H58 → 000.00.32.H53  "), "the pending recipient")
        #expect(all.lines[1].hasSuffix("\(exhausted)  replayed 2026-11-29T01:00:00.000Z"))
        #expect(all.lines[2].contains("  malformed  docrelay.out.000.00.00.G22/0/3  ? → ?  "), "no id: named by where it was read")
        #expect(all.lines[3] == "3 dead letters in docrelay.dlq; 1 replayed already")

        let byAgency = try await runDocRelay(["dlq", "list", "--bootstrap-servers", scene.bootstrap, "--agency", OperatorScene.h53])
        #expect(byAgency.exitCode == 0, "\(byAgency.standardError)")
        #expect(byAgency.lines.count == 2 && byAgency.lines[0].contains("doc-exhausted"), "\(byAgency.standardOutput)")
        #expect(byAgency.lines.last == "1 dead letter (of 3) in docrelay.dlq; 1 replayed already")
        let bySender = try await runDocRelay(["dlq", "list", "--bootstrap-servers", scene.bootstrap, "--agency", OperatorScene.g22])
        #expect(bySender.lines.count == 3, "from G22, and to G22: \(bySender.standardOutput)")

        let byClass = try await runDocRelay(["dlq", "list", "--config", scene.config, "--class", "signature"])
        #expect(byClass.lines.count == 2 && byClass.lines[0].contains("doc-signature"), "\(byClass.standardOutput)")

        let recent = try await runDocRelay(["dlq", "list", "--config", scene.config, "--since", "2h"])
        #expect(recent.lines.map { $0.contains("doc-signature") } == [false, false, false], "\(recent.standardOutput)")
        #expect(recent.lines.last == "2 dead letters (of 3) in docrelay.dlq; 1 replayed already")
        let sinceTime = RFC3339.format(now.addingTimeInterval(-30 * 60))
        let sinceRFC = try await runDocRelay(["dlq", "list", "--config", scene.config, "--since", sinceTime])
        #expect(sinceRFC.lines.count == 2 && sinceRFC.lines[0].contains("malformed"), "\(sinceRFC.standardOutput)")

        let json = try await runDocRelay(["dlq", "list", "--config", scene.config, "--json", "--class", "exhausted"])
        #expect(json.exitCode == 0)
        try #require(json.lines.count == 1, "\(json.standardOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.lines[0].utf8)) as? [String: Any])
        #expect(object["id"] as? String == "doc-exhausted")
        #expect(object["class"] as? String == "exhausted")
        #expect(object["location"] as? String == exhausted)
        #expect(object["pending-to"] as? [String] == [OperatorScene.h53])
        #expect(object["replayed"] as? [String] == ["2026-11-29T01:00:00.000Z"])
        #expect(object["origin"] as? String == "docrelay.out.000.00.00.H58/0/2")

        let badClass = try await runDocRelay(["dlq", "list", "--config", scene.config, "--class", "bogus"])
        #expect(badClass.exitCode == 2)
        #expect(badClass.standardError.contains("option --class bogus: expected one of signature, sender"))
        let badSince = try await runDocRelay(["dlq", "list", "--config", scene.config, "--since", "yesterday"])
        #expect(badSince.exitCode == 2)
        #expect(badSince.standardError.contains("option --since yesterday"))
        let noTopic = try await runDocRelay(["dlq", "list", "--bootstrap-servers", scene.bootstrap, "--topic-prefix", "elsewhere"])
        #expect(noTopic.exitCode == 1)
        #expect(noTopic.standardError.contains("no topic elsewhere.dlq"))
        let unreachable = try await runDocRelay(["dlq", "list", "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "1"])
        #expect(unreachable.exitCode == 2)
        #expect(unreachable.standardError.contains("127.0.0.1:1"))
        let both = try await runDocRelay(["dlq", "list", "--config", scene.config, "--bootstrap-servers", scene.bootstrap])
        #expect(both.exitCode == 2)
        let neither = try await runDocRelay(["dlq", "list"])
        #expect(neither.exitCode == 2)
        #expect(neither.standardError.contains("--config") && neither.standardError.contains("--bootstrap-servers"))
        await scene.close()
    }

    @Test("dlq show: headers, reason, the sender verified again with --config (or why not), digest, edXML preview")
    func show() async throws {
        let scene = try await OperatorScene()
        let good = try scene.document("Quyết định số 15/QĐ-UBND", from: OperatorScene.g22, to: [OperatorScene.h58], id: "doc-authentic")
        let location = try await scene.deadLetter(
            good, errorClass: .exhausted, reason: "docrelay.in.000.00.00.H58: unknown topic", pendingTo: [OperatorScene.h58])
        var tampered = try scene.document("Quyết định số 16/QĐ-UBND", from: OperatorScene.g22, to: [OperatorScene.h58], id: "doc-tampered")
        tampered.value = Array("Quyết định số 61/QĐ-UBND".utf8)
        try await scene.deadLetter(tampered, errorClass: .signature, reason: "dr-sha256 differs")
        let status = try scene.edXMLStatus()
        try await scene.deadLetter(status, errorClass: .exhausted, reason: "unreachable")

        let verified = try await runDocRelay(["dlq", "show", "doc-authentic", "--config", scene.config])
        #expect(verified.exitCode == 0, "\(verified.standardError)")
        let text = verified.standardOutput
        #expect(text.hasPrefix("dead letter \(location)  (document doc-authentic)\n"))
        #expect(text.contains("  class          exhausted\n  reason         docrelay.in.000.00.00.H58: unknown topic\n"))
        #expect(text.contains("  pending to     000.00.00.H58"))
        for header in ["dr-id", "dr-kind", "dr-from", "dr-to", "dr-created", "dr-content-type", "dr-ref", "dr-sha256", "dr-signature",
                       "dr-error-class", "dr-error", "dr-origin-topic", "dr-dead-lettered-at", "dr-pending-to"] {
            #expect(verified.lines.contains { $0.hasPrefix("  \(header) ") }, "header \(header)")
        }
        #expect(text.contains("sender\n  verified: 000.00.00.G22 (000.00.00.G22), signed by CN=000.00.00.G22"))
        #expect(text.contains(" bytes, SHA-256 ") && text.contains("matches the signed dr-sha256"))
        #expect(text.contains("preview (text, text/plain)\n  | Quyết định số 15/QĐ-UBND"))

        let byLocation = try await runDocRelay(["dlq", "show", location, "--bootstrap-servers", scene.bootstrap])
        #expect(byLocation.exitCode == 0)
        #expect(byLocation.standardOutput.contains("(document doc-authentic)"))
        #expect(byLocation.standardOutput.contains("sender\n  not checked: verification needs --config"))

        let refused = try await runDocRelay(["dlq", "show", "doc-tampered", "--config", scene.config])
        #expect(refused.exitCode == 0)
        #expect(refused.standardOutput.contains("not verified (signature): dr-sha256: the value's SHA-256 is"))
        #expect(refused.standardOutput.contains("the sender 000.00.00.G22 is authentic"))
        #expect(refused.standardOutput.contains("differs from the signed dr-sha256"))

        let statusID = try #require(status.headers.string(named: HeaderName.id))
        let edXMLByID = try await runDocRelay(["dlq", "show", statusID, "--config", scene.config])
        #expect(edXMLByID.exitCode == 0, "\(edXMLByID.standardError)")
        let preview = edXMLByID.standardOutput
        #expect(preview.contains("verified: 000.00.00.H41"), "\(preview)")
        #expect(preview.contains("preview (edXML)\n  From        000.00.00.H41\n"))
        #expect(preview.contains("  Code        7816/VPCP-TTĐT"))
        #expect(preview.contains("  Status      01 (received)"))
        #expect(preview.contains("  ResponseFor 000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"))

        // --json: one object per dead letter, the list's fields, headers, sender check, value.
        func object(_ line: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        }
        let verifiedJSON = try await runDocRelay(["dlq", "show", "doc-authentic", "--config", scene.config, "--json"])
        #expect(verifiedJSON.exitCode == 0 && verifiedJSON.lines.count == 1, "\(verifiedJSON.standardOutput)")
        let shown = object(verifiedJSON.lines.first ?? "")
        #expect(shown["id"] as? String == "doc-authentic" && shown["location"] as? String == location && shown["class"] as? String == "exhausted")
        #expect((shown["sender"] as? [String: Any])?["status"] as? String == "verified", "\(shown)")
        #expect((shown["sender"] as? [String: Any])?["from"] as? String == OperatorScene.g22)
        #expect((shown["value"] as? [String: Any])?["matches-signed-sha256"] as? Bool == true)
        let headerNames = ((shown["headers"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(headerNames.contains("dr-signature") && headerNames.contains("dr-error-class"), "\(headerNames)")
        let refusedJSON = object(try await runDocRelay(["dlq", "show", "doc-tampered", "--config", scene.config, "--json"]).standardOutput)
        #expect((refusedJSON["sender"] as? [String: Any])?["status"] as? String == "rejected", "\(refusedJSON)")
        #expect((refusedJSON["sender"] as? [String: Any])?["authentic-sender"] as? String == OperatorScene.g22)
        #expect((refusedJSON["value"] as? [String: Any])?["matches-signed-sha256"] as? Bool == false)

        let missing = try await runDocRelay(["dlq", "show", "doc-nowhere", "--config", scene.config])
        #expect(missing.exitCode == 1)
        #expect(missing.standardError.contains("no dead letter named doc-nowhere in docrelay.dlq (3 there"))
        await scene.close()
    }

    @Test("dlq replay: --dry-run writes nothing; once writes one retry record and one event; again writes nothing")
    func replayOnce() async throws {
        let scene = try await OperatorScene()
        let original = try scene.document("Thông báo", from: OperatorScene.g22, to: [OperatorScene.h58, OperatorScene.h53], id: "doc-replay")
        let location = try await scene.deadLetter(
            original, errorClass: .exhausted, reason: "unreachable", pendingTo: [OperatorScene.h53])
        try await scene.deadLetter(
            try scene.document("Khác", from: OperatorScene.h58, to: [OperatorScene.g22], id: "doc-other"),
            errorClass: .signature, reason: "bad")
        let retry = "docrelay.retry.1s"

        let dry = try await runDocRelay(["dlq", "replay", "doc-replay", "--config", scene.config, "--dry-run"])
        #expect(dry.exitCode == 0, "\(dry.standardError)")
        #expect(dry.lines == [
            "would replay \(location) (doc-replay, exhausted) → \(retry)",
            "dry run: 1 would be replayed, 0 already replayed; nothing written",
        ])
        #expect(try await scene.records(retry).isEmpty)
        #expect(try await scene.records(scene.topics.events).isEmpty)

        let first = try await runDocRelay(["dlq", "replay", "doc-replay", "--config", scene.config])
        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(first.lines.first?.hasPrefix("replayed \(location) (doc-replay) → \(retry)[") == true, "\(first.standardOutput)")
        #expect(first.lines.last == "1 replayed, 0 already replayed, 0 failed")
        let written = try await scene.records(retry)
        #expect(written.count == 1)
        let replay = try #require(written.first)
        #expect(replay.value == original.value)
        #expect(replay.key == original.key)
        #expect(replay.headers.string(named: HeaderName.replayed) != nil)
        #expect(replay.headers.string(named: HeaderName.pendingTo) == OperatorScene.h53)
        #expect(replay.headers.string(named: HeaderName.attempt) == "0")
        #expect(replay.headers.string(named: HeaderName.errorClass) == nil)
        for name in HeaderName.signed {
            #expect(replay.headers.values(named: name) == original.headers.values(named: name), "\(name) untouched")
        }
        let events = try await scene.records(scene.topics.events)
        #expect(events.count == 1)
        let event = try #require(events.first.flatMap { RelayEvent.decode($0.value) })
        #expect(event.event == .replayed)
        #expect(event.id == "doc-replay")
        #expect(event.hub == "national" && event.instance == "docrelay-dlq")
        #expect(event.deadLetter == location)
        #expect(event.target == retry)
        #expect(events.first?.key == Array("doc-replay".utf8))

        let second = try await runDocRelay(["dlq", "replay", location, "--config", scene.config])
        #expect(second.exitCode == 0, "\(second.standardError)")
        #expect(second.lines.first == "already replayed at \(event.at): \(location) (doc-replay); --force replays it again")
        #expect(try await scene.records(retry).count == 1)
        #expect(try await scene.records(scene.topics.events).count == 1)

        let list = try await runDocRelay(["dlq", "list", "--config", scene.config])
        #expect(list.lines.last == "2 dead letters in docrelay.dlq; 1 replayed already")

        // --json: one object per dead letter, then the counts; nothing written again.
        let json = try await runDocRelay(["dlq", "replay", "doc-replay", "--config", scene.config, "--json"])
        #expect(json.exitCode == 0 && json.lines.count == 2, "\(json.standardOutput)")
        let outcome = (try? JSONSerialization.jsonObject(with: Data((json.lines.first ?? "").utf8)) as? [String: Any]) ?? [:]
        #expect(outcome["outcome"] as? String == "already-replayed" && outcome["location"] as? String == location && outcome["at"] as? String == event.at, "\(outcome)")
        let totals = (try? JSONSerialization.jsonObject(with: Data((json.lines.last ?? "").utf8)) as? [String: Any]) ?? [:]
        #expect((totals["counts"] as? [String: Any])?["already-replayed"] as? Int == 1, "\(totals)")
        #expect(totals["dry-run"] as? Bool == false)
        #expect(try await scene.records(retry).count == 1)

        let forced = try await runDocRelay(["dlq", "replay", "doc-replay", "--config", scene.config, "--force", "--json"])
        #expect(forced.exitCode == 0)
        let forcedOutcome = (try? JSONSerialization.jsonObject(with: Data((forced.lines.first ?? "").utf8)) as? [String: Any]) ?? [:]
        #expect(forcedOutcome["outcome"] as? String == "replayed", "\(forced.standardOutput)")
        #expect((forcedOutcome["record"] as? [String: Any])?["topic"] as? String == retry, "\(forcedOutcome)")
        #expect((forcedOutcome["event"] as? [String: Any])?["topic"] as? String == scene.topics.events)
        #expect(try await scene.records(retry).count == 2)
        #expect(try await scene.records(scene.topics.events).count == 2)
        await scene.close()
    }

    @Test("dlq replay --class / --all --agency select; missing topics and missing selections are refused")
    func replaySelections() async throws {
        let scene = try await OperatorScene()
        try await scene.deadLetter(
            try scene.document("1", from: OperatorScene.g22, to: [OperatorScene.h58], id: "doc-a"), errorClass: .exhausted, reason: "x")
        try await scene.deadLetter(
            try scene.document("2", from: OperatorScene.h58, to: [OperatorScene.h53], id: "doc-b"), errorClass: .exhausted, reason: "x")
        try await scene.deadLetter(
            try scene.document("3", from: OperatorScene.h53, to: [OperatorScene.g22], id: "doc-c"), errorClass: .recipient, reason: "x")

        let none = try await runDocRelay(["dlq", "replay", "--config", scene.config])
        #expect(none.exitCode == 2)
        #expect(none.standardError.contains("--all"))
        let agencyOnly = try await runDocRelay(["dlq", "replay", "--config", scene.config, "--agency", OperatorScene.h58])
        #expect(agencyOnly.exitCode == 2, "--agency alone does not select")
        let unknown = try await runDocRelay(["dlq", "replay", "doc-z", "--config", scene.config])
        #expect(unknown.exitCode == 1)
        #expect(unknown.standardError.contains("no dead letter named doc-z"))
        // Without the configuration the first tier is the contract's 5s, which this hub lacks.
        let noTier = try await runDocRelay(["dlq", "replay", "--all", "--bootstrap-servers", scene.bootstrap])
        #expect(noTier.exitCode == 1)
        #expect(noTier.standardError.contains("no topic docrelay.retry.5s"))

        let byClass = try await runDocRelay(["dlq", "replay", "--class", "exhausted", "--agency", OperatorScene.h53, "--config", scene.config])
        #expect(byClass.exitCode == 0, "\(byClass.standardError)")
        #expect(byClass.lines.count == 2 && byClass.lines[0].contains("(doc-b)"), "\(byClass.standardOutput)")
        // --all without a terminal: nothing without --yes.
        let unconfirmed = try await runDocRelay(["dlq", "replay", "--all", "--config", scene.config])
        #expect(unconfirmed.exitCode == 2)
        #expect(unconfirmed.standardError.contains("option --all: replays 2 dead letters; confirm on a terminal, or give --yes"), "\(unconfirmed.standardError)")
        #expect(try await scene.records("docrelay.retry.1s").count == 1)
        // On a terminal (script(1) gives it one) it asks; anything but y writes nothing.
        func onTerminal(_ arguments: [String], answer: String) async throws -> ProcessResult {
            let command = ([DocRelayBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
            return try await run("/usr/bin/script", ["-qec", command, "/dev/null"], input: Data(answer.utf8))
        }
        let declined = try await onTerminal(["dlq", "replay", "--all", "--config", scene.config], answer: "n\n")
        #expect(declined.exitCode == 1, "\(declined.standardOutput)")
        #expect(declined.standardOutput.contains("replay 2 dead letters of docrelay.dlq into docrelay.retry.1s? [y/N]"), "\(declined.standardOutput)")
        #expect(declined.standardOutput.contains("not confirmed: nothing replayed"))
        #expect(try await scene.records("docrelay.retry.1s").count == 1)
        // --limit 1: the oldest of the two left; the other stays.
        let limited = try await runDocRelay(["dlq", "replay", "--all", "--yes", "--limit", "1", "--config", scene.config])
        #expect(limited.exitCode == 0, "\(limited.standardError)")
        #expect(limited.lines.contains { $0.hasPrefix("replayed ") && $0.contains("(doc-a)") }, "\(limited.standardOutput)")
        #expect(limited.lines.last == "--limit 1: 1 more left to replay", "\(limited.standardOutput)")
        let all = try await onTerminal(["dlq", "replay", "--all", "--config", scene.config], answer: "y\n")
        #expect(all.exitCode == 0, "\(all.standardOutput)")
        #expect(all.standardOutput.contains("replay 1 dead letter of docrelay.dlq into docrelay.retry.1s? [y/N]"), "\(all.standardOutput)")
        #expect(all.standardOutput.contains("1 replayed, 2 already replayed, 0 failed"), "\(all.standardOutput)")
        let written = try await scene.records("docrelay.retry.1s")
        #expect(written.compactMap { $0.headers.string(named: HeaderName.id) }.sorted() == ["doc-a", "doc-b", "doc-c"])
        let badLimit = try await runDocRelay(["dlq", "replay", "--all", "--limit", "0", "--config", scene.config])
        #expect(badLimit.exitCode == 2 && badLimit.standardError.contains("option --limit 0: expected 1 to 1000000"), "\(badLimit.standardError)")
        await scene.close()
    }

    @Test("trace: a document's events in time order, with its dead letter; --json; an unknown id exits 1")
    func trace() async throws {
        let scene = try await OperatorScene()
        func event(_ kind: RelayEvent.Kind, _ at: String, _ change: (inout RelayEvent) -> Void = { _ in }) -> RelayEvent {
            var event = RelayEvent(event: kind, id: "doc-trace", hub: "national", instance: "relay-1", at: at)
            change(&event)
            return event
        }
        // Written out of time order, and with another document's events between them.
        try await scene.write(event(.delivered, "2026-11-29T01:00:02.000Z") {
            $0.recipient = OperatorScene.h58
            $0.target = "docrelay.in.000.00.00.H58"
            $0.latencyMilliseconds = 120
        })
        try await scene.write(event(.accepted, "2026-11-29T01:00:01.000Z") {
            $0.from = OperatorScene.g22
            $0.to = [OperatorScene.h58, OperatorScene.h53]
        })
        try await scene.write(RelayEvent(event: .accepted, id: "doc-other", hub: "national", instance: "relay-1", at: "2026-11-29T01:00:00.000Z"))
        try await scene.write(event(.retried, "2026-11-29T01:00:03.000Z") {
            $0.errorClass = "unreachable"
            $0.reason = "docrelay.in.000.00.32.H53: unknown topic"
            $0.attempt = 1
            $0.target = "docrelay.retry.1s"
        })
        try await scene.write(event(.deadLettered, "2026-11-29T01:00:05.000Z") { $0.errorClass = "exhausted" })
        try await scene.deadLetter(
            try scene.document("Trace", from: OperatorScene.g22, to: [OperatorScene.h58, OperatorScene.h53], id: "doc-trace"),
            errorClass: .exhausted, reason: "gave up", pendingTo: [OperatorScene.h53],
            at: try #require(RFC3339.parse("2026-11-29T01:00:05.000Z")))

        let result = try await runDocRelay(["trace", "doc-trace", "--bootstrap-servers", scene.bootstrap])
        #expect(result.exitCode == 0, "\(result.standardError)")
        try #require(result.lines.count == 5, "\(result.standardOutput)")
        #expect(result.lines[0] == "2026-11-29T01:00:01.000Z  national/relay-1  accepted  from 000.00.00.G22 to 000.00.00.H58,000.00.32.H53")
        #expect(result.lines[1] == "2026-11-29T01:00:02.000Z  national/relay-1  delivered  recipient 000.00.00.H58, → docrelay.in.000.00.00.H58, latency 120 ms")
        #expect(result.lines[2] == "2026-11-29T01:00:03.000Z  national/relay-1  retried  → docrelay.retry.1s, unreachable: docrelay.in.000.00.32.H53: unknown topic, attempt 1")
        #expect(result.lines[3] == "2026-11-29T01:00:05.000Z  national/relay-1  dead-lettered  exhausted")
        #expect(result.lines[4].hasPrefix("2026-11-29T01:00:05.000Z  docrelay/dlq  in-dlq  docrelay.dlq/"))
        #expect(result.lines[4].hasSuffix("exhausted: gave up, pending to 000.00.32.H53, not replayed"))

        let json = try await runDocRelay(["trace", "doc-trace", "--config", scene.config, "--json"])
        #expect(json.exitCode == 0)
        let objects = try json.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        try #require(objects.compactMap { $0["event"] as? String } == ["accepted", "delivered", "retried", "dead-lettered", "in-dlq"])
        #expect(objects[1]["latency-ms"] as? Int == 120)

        let unknown = try await runDocRelay(["trace", "doc-unknown", "--config", scene.config])
        #expect(unknown.exitCode == 1)
        #expect(unknown.standardError.contains("nothing known of document doc-unknown in docrelay.events and docrelay.dlq"))
        let usage = try await runDocRelay(["trace", "--config", scene.config])
        #expect(usage.exitCode == 2)
        await scene.close()
    }
}
