@testable import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Testing

/// Dead letters as the relay writes them, read back as the dead-letter topic would hold them.
private enum DeadLetters {
    static let topics = TopicNames()
    static let created = Date(timeIntervalSince1970: 1_795_038_400)  // 2026-11-18T21:46:40Z

    /// A dead letter of `original` at `offset` of the DLQ's partition `partition`.
    static func entry(
        _ original: KafkaRecord, errorClass: ErrorClass = .signature, reason: String = "dr-signature: bad",
        pendingTo: [String]? = nil, at time: Date = created, partition: Int32 = 0, offset: Int64 = 0,
        maxValueBytes: Int = 1_048_576, keptBytes: Int = 65_536, replays: [RelayEvent] = []
    ) -> DeadLetterEntry {
        let record = DeadLetter.record(
            for: original, errorClass: errorClass, reason: reason, pendingTo: pendingTo, topics: topics, at: time,
            maxValueBytes: maxValueBytes, keptBytes: keptBytes)
        return DeadLetterEntry(
            KafkaRecord(topic: record.topic, partition: partition, offset: offset, key: record.key, value: record.value,
                        headers: record.headers),
            replays: replays)
    }

    /// A record of an `out` topic with plain headers (not signed).
    static func original(
        id: String = "doc-1", from: String = "000.00.00.G22", to: String = "000.00.00.H58",
        value: [UInt8] = Array("Công văn".utf8), offset: Int64 = 7
    ) -> KafkaRecord {
        KafkaRecord(
            topic: topics.out(from), partition: 1, offset: offset, key: Array(id.utf8), value: value,
            headers: [
                KafkaHeader(name: HeaderName.id, string: id), KafkaHeader(name: HeaderName.kind, string: "edoc"),
                KafkaHeader(name: HeaderName.from, string: from), KafkaHeader(name: HeaderName.to, string: to),
                KafkaHeader(name: HeaderName.contentType, string: "text/plain"),
            ])
    }

    /// A signed record from the verification fixture.
    static func signed(_ signed: (headers: [(name: String, value: [UInt8]?)], value: [UInt8]), from: String = "000.00.00.G22") -> KafkaRecord {
        KafkaRecord(
            topic: topics.out(from), partition: 0, offset: 3, key: nil, value: signed.value,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
    }

    static func replay(of location: String, at: String, id: String = "doc-1") -> RelayEvent {
        var event = RelayEvent(event: .replayed, id: id, hub: "national", instance: "docrelay-dlq", at: at)
        event.deadLetter = location
        return event
    }
}

@Suite("Dead letters: filters, listing, replays, inspection")
struct DeadLetterOperationsTests {
    @Test("--agency matches the sender, a recipient or a pending recipient; --class and --since narrow")
    func filter() {
        let letter = DeadLetters.entry(
            DeadLetters.original(from: "000.00.00.G22", to: "000.00.00.H58,000.00.32.H53"), errorClass: .exhausted,
            pendingTo: ["000.00.32.H53"])
        #expect(DeadLetterFilter().matches(letter))
        for code in ["000.00.00.G22", "000.00.00.H58", "000.00.32.H53"] {
            #expect(DeadLetterFilter(agency: code).matches(letter), "\(code)")
        }
        #expect(!DeadLetterFilter(agency: "000.00.00.G17").matches(letter))
        #expect(!DeadLetterFilter(agency: "000.00.00").matches(letter), "codes match whole, not as prefixes")
        #expect(DeadLetterFilter(errorClass: "exhausted").matches(letter))
        #expect(!DeadLetterFilter(errorClass: "signature").matches(letter))
        #expect(DeadLetterFilter(since: DeadLetters.created).matches(letter), "since is inclusive")
        #expect(!DeadLetterFilter(since: DeadLetters.created.addingTimeInterval(1)).matches(letter))
        #expect(!DeadLetterFilter(agency: "000.00.00.H58", errorClass: "signature").matches(letter), "every criterion must hold")

        let pendingOnly = DeadLetters.entry(
            DeadLetters.original(to: "000.00.00.H58"), pendingTo: ["vxp.saas.03"])
        #expect(DeadLetterFilter(agency: "vxp.saas.03").matches(pendingOnly))
    }

    @Test("--since reads an RFC 3339 time or a duration back from now")
    func since() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(EventTime.since("2h", now: now) == now.addingTimeInterval(-7200))
        #expect(EventTime.since("90s", now: now) == now.addingTimeInterval(-90))
        #expect(EventTime.since("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(EventTime.since("2026-11-29T01:02:03Z", now: now) == RFC3339.parse("2026-11-29T01:02:03Z"))
        for bad in ["", "2", "h", "yesterday", "2026-11-29", "-2h", "2026-11-29T01:02:03+07:00"] {
            #expect(EventTime.since(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test("A list line: time, class, id, from → to, the reason cut, the location, the last replay")
    func summaryLine() {
        let reason = "dr-sha256: the value's SHA-256 is 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, not the signed one\nsecond line"
        let letter = DeadLetters.entry(DeadLetters.original(), reason: reason, partition: 2, offset: 41)
        let line = DeadLetterSummary(letter).line()
        #expect(line.hasPrefix("2026-11-18T21:46:40.000Z  signature  doc-1  000.00.00.G22 → 000.00.00.H58  dr-sha256: "))
        #expect(line.hasSuffix("…  docrelay.dlq/2/41"))
        #expect(!line.contains("\n"))
        #expect(!line.contains("second line"))

        var replayed = letter
        replayed.replays = [DeadLetters.replay(of: letter.letter.location, at: "2026-11-19T08:00:00.000Z")]
        #expect(DeadLetterSummary(replayed).line().hasSuffix("docrelay.dlq/2/41  replayed 2026-11-19T08:00:00.000Z"))

        let pending = DeadLetters.entry(DeadLetters.original(to: "000.00.00.H58,000.00.32.H53"), pendingTo: ["000.00.32.H53"])
        #expect(DeadLetterSummary(pending).line().contains("000.00.00.G22 → 000.00.32.H53  "), "the recipients still pending")
        #expect(DeadLetterSummary.shortened("abcdef", to: 4) == "abc…")
        #expect(DeadLetterSummary.shortened("abcd", to: 4) == "abcd")
    }

    @Test("--json: one object on one line, keys sorted, the contract's names")
    func summaryJSON() throws {
        let letter = DeadLetters.entry(
            DeadLetters.original(value: Array(repeating: 7, count: 3000)), errorClass: .oversize, reason: "too big",
            pendingTo: ["000.00.00.H58"], offset: 5, maxValueBytes: 1024, keptBytes: 100)
        let json = DeadLetterSummary(letter).json()
        #expect(!json.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["class"] as? String == "oversize")
        #expect(object["id"] as? String == "doc-1")
        #expect(object["from"] as? String == "000.00.00.G22")
        #expect(object["to"] as? [String] == ["000.00.00.H58"])
        #expect(object["pending-to"] as? [String] == ["000.00.00.H58"])
        #expect(object["location"] as? String == "docrelay.dlq/0/5")
        #expect(object["origin"] as? String == "docrelay.out.000.00.00.G22/1/7")
        #expect(object["truncated"] as? Bool == true)
        #expect(object["replayed"] as? [String] == [])
        #expect(object["at"] as? String == "2026-11-18T21:46:40.000Z")
        let keys = try #require(json.split(separator: ",").first)
        #expect(keys.hasPrefix(#"{"at":"#), "sorted keys")
    }

    @Test("The ledger finds replays by the dead letter's location, oldest first; other events do not count")
    func ledger() {
        var delivered = RelayEvent(event: .delivered, id: "doc-1", hub: "national", instance: "r1", at: "2026-11-19T09:00:00Z")
        delivered.deadLetter = "docrelay.dlq/0/1"
        let ledger = ReplayLedger(events: [
            DeadLetters.replay(of: "docrelay.dlq/0/1", at: "2026-11-19T10:00:00.000Z"),
            delivered,
            DeadLetters.replay(of: "docrelay.dlq/0/1", at: "2026-11-19T08:00:00.000Z"),
            DeadLetters.replay(of: "docrelay.dlq/1/1", at: "2026-11-19T09:00:00.000Z"),
        ])
        #expect(ledger.replays(of: "docrelay.dlq/0/1").map(\.at) == ["2026-11-19T08:00:00.000Z", "2026-11-19T10:00:00.000Z"])
        #expect(ledger.replays(of: "docrelay.dlq/1/1").count == 1)
        #expect(ledger.replays(of: "docrelay.dlq/0/10").isEmpty, "locations match whole")
        #expect(ledger.replayedCount == 2)
    }

    @Test("A dead letter is named by its id or its location")
    func naming() {
        let letter = DeadLetters.entry(DeadLetters.original(id: "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"), partition: 1, offset: 9)
        #expect(letter.isNamed(by: "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"))
        #expect(letter.isNamed(by: "docrelay.dlq/1/9"))
        #expect(!letter.isNamed(by: "docrelay.dlq/1/90"))
        #expect(!letter.isNamed(by: "000.00.00.G22"))
    }

    @Test("A replay goes to the first tier; its event names the dead letter; a replayed one is skipped unless forced")
    func replayPlan() throws {
        var hub = OperatorHub(kafka: KafkaSettings(bootstrap: "127.0.0.1:9092"), topics: TopicNames(prefix: "hub1"),
                              retryTiers: [try #require(RetryTier(parsing: "2s")), try #require(RetryTier(parsing: "1m"))])
        hub.hubID = "h58"
        let fresh = DeadLetters.entry(
            DeadLetters.original(to: "000.00.00.H58,000.00.32.H53"), errorClass: .exhausted, pendingTo: ["000.00.32.H53"],
            offset: 3)
        var done = DeadLetters.entry(DeadLetters.original(id: "doc-2"), offset: 4)
        done.replays = [DeadLetters.replay(of: done.letter.location, at: "2026-11-19T08:00:00.000Z", id: "doc-2")]

        let replay = DeadLetterReplay(hub: hub)
        #expect(replay.target == "hub1.retry.2s")
        let outcomes = replay.dryRun([fresh, done])
        guard case .wouldReplay(let first, let target) = outcomes[0], case .alreadyReplayed(let second, let at) = outcomes[1] else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(first.letter.id == "doc-1" && target == "hub1.retry.2s")
        #expect(second.letter.id == "doc-2" && at == "2026-11-19T08:00:00.000Z")
        let forced = DeadLetterReplay(hub: hub, force: true).dryRun([done])
        guard case .wouldReplay = forced[0] else {
            Issue.record("--force replays again: \(forced)")
            return
        }

        let time = Date(timeIntervalSince1970: 1_795_100_000)
        let event = replay.event(for: fresh, at: time)
        #expect(event.event == .replayed)
        #expect(event.id == "doc-1")
        #expect(event.hub == "h58" && event.instance == "docrelay-dlq")
        #expect(event.at == "2026-11-19T14:53:20.000Z")
        #expect(event.deadLetter == "docrelay.dlq/0/3")
        #expect(event.target == "hub1.retry.2s")
        #expect(event.to == ["000.00.32.H53"], "the pending recipients")
        #expect(event.errorClass == "exhausted")
        let decoded = try #require(RelayEvent.decode(event.encoded()))
        #expect(decoded == event)
        #expect(String(decoding: event.encoded(), as: UTF8.self).contains(#""dead-letter":"docrelay.dlq/0/3""#))

        hub.hubID = nil
        #expect(DeadLetterReplay(hub: hub).event(for: fresh, at: time).hub == "operator")
    }

    @Test("A dead letter whose value was cut, or is not the one signed, cannot be replayed, --force or not; a whole one can")
    func replayRefusals() throws {
        let fixture = VerificationFixture.shared
        let hub = OperatorHub(kafka: KafkaSettings(bootstrap: "127.0.0.1:9092"), topics: TopicNames(), retryTiers: [])
        let large = Array(repeating: UInt8(ascii: "a"), count: 5000)
        let cut = DeadLetters.entry(
            DeadLetters.signed(try fixture.record(large, to: ["000.00.00.H58"], id: "doc-cut")), errorClass: .oversize,
            reason: "expected a value of at most 2048 bytes, not 5000", offset: 1, maxValueBytes: 2048, keptBytes: 1000)
        var altered = try fixture.record(to: ["000.00.00.H58"], id: "doc-altered")
        altered.value[0] ^= 1
        let alteredEntry = DeadLetters.entry(DeadLetters.signed(altered), offset: 2)
        // Over a 2 KiB limit, but shorter than what a dead letter keeps: whole.
        let whole = DeadLetters.entry(
            DeadLetters.signed(try fixture.record(large, to: ["000.00.00.H58"], id: "doc-whole")), errorClass: .oversize,
            offset: 3, maxValueBytes: 2048)
        let minimalRecord = DeadLetter.minimal(
            replacing: DeadLetter.record(
                for: DeadLetters.signed(try fixture.record(large, to: ["000.00.00.H58"], id: "doc-minimal")),
                errorClass: .oversize, reason: "too big", topics: DeadLetters.topics, at: DeadLetters.created, maxValueBytes: 2048),
            refusal: "MSG_SIZE_TOO_LARGE")
        let minimal = DeadLetterEntry(KafkaRecord(
            topic: minimalRecord.topic, partition: 0, offset: 4, key: minimalRecord.key, value: minimalRecord.value,
            headers: minimalRecord.headers))
        var replayedCut = cut
        replayedCut.replays = [DeadLetters.replay(of: cut.letter.location, at: "2026-11-19T08:00:00.000Z", id: "doc-cut")]

        #expect(cut.letter.isTruncated && minimal.letter.isTruncated)
        #expect(!whole.letter.isTruncated && !alteredEntry.letter.isTruncated)
        let cutReason = "the value was cut to 1000 of 5000 bytes when it was dead-lettered: the document itself is gone; "
            + "ask the sender to send it again"
        for replay in [DeadLetterReplay(hub: hub), DeadLetterReplay(hub: hub, force: true)] {
            let outcomes = replay.dryRun([cut, alteredEntry, whole, minimal, replayedCut])
            let described = outcomes.map { outcome -> String in
                switch outcome {
                case .refused(let entry, let reason): "refused \(entry.letter.id): \(reason)"
                case .wouldReplay(let entry, _): "would replay \(entry.letter.id)"
                case .alreadyReplayed(let entry, _): "already \(entry.letter.id)"
                case .replayed(let entry, _, _), .failed(let entry, _, _): "written \(entry.letter.id)"
                }
            }
            #expect(described.count == 5)
            #expect(described[0] == "refused doc-cut: \(cutReason)", "force: \(replay.force)")
            #expect(described[1].hasPrefix("refused doc-altered: the value is not the one signed (its SHA-256 is \(SHA256Hex.of(altered.value)), dr-sha256 says "))
            #expect(described[2] == "would replay doc-whole")
            #expect(described[3] == "refused doc-minimal: the value was cut to 0 of 5000 bytes when it was dead-lettered: the document itself is gone; "
                + "ask the sender to send it again")
            #expect(described[4] == "refused doc-cut: \(cutReason)", "refused before \"already replayed\"")
        }

        // dlq list marks them.
        let line = DeadLetterSummary(cut).line()
        #expect(line.hasSuffix("docrelay.dlq/0/1  not replayable (truncated)"))
        #expect(DeadLetterSummary(replayedCut).line().hasSuffix("  not replayable (truncated)  replayed 2026-11-19T08:00:00.000Z"))
        #expect(DeadLetterSummary(alteredEntry).line().hasSuffix("docrelay.dlq/0/2  not replayable (altered)"))
        #expect(DeadLetterSummary(whole).line().hasSuffix("docrelay.dlq/0/3"))
        let cutJSON = try #require(try JSONSerialization.jsonObject(with: Data(DeadLetterSummary(cut).json().utf8)) as? [String: Any])
        #expect(cutJSON["truncated"] as? Bool == true)
        #expect(cutJSON["replayable"] as? Bool == false)
        #expect(cutJSON["replay-refusal"] as? String == cutReason)
        let wholeJSON = try #require(try JSONSerialization.jsonObject(with: Data(DeadLetterSummary(whole).json().utf8)) as? [String: Any])
        #expect(wholeJSON["truncated"] as? Bool == false)
        #expect(wholeJSON["replayable"] as? Bool == true)
        #expect(wholeJSON["replay-refusal"] == nil)
    }

    @Test("The replay record is the original's headers and value, into the first tier, due now, marked replayed")
    func replayRecord() throws {
        let fresh = DeadLetters.entry(DeadLetters.original(), offset: 3)
        let tier = try #require(RetryTier(parsing: "5s"))
        let time = Date(timeIntervalSince1970: 1_795_100_000)
        let record = fresh.letter.replayRecord(topics: DeadLetters.topics, tier: tier, at: time)
        #expect(record.topic == "docrelay.retry.5s")
        #expect(record.value == Array("Công văn".utf8))
        #expect(record.headers.string(named: HeaderName.replayed) == "2026-11-19T14:53:20.000Z")
        #expect(record.headers.string(named: HeaderName.errorClass) == nil)
        #expect(record.headers.string(named: HeaderName.id) == "doc-1")
    }

    @Test("A journey is in time order, events and dead letters of the document only, equal times in reading order")
    func journey() {
        func event(_ kind: RelayEvent.Kind, _ at: String, id: String = "doc-1") -> RelayEvent {
            RelayEvent(event: kind, id: id, hub: "national", instance: "relay-1", at: at)
        }
        var delivered = event(.delivered, "2026-11-18T21:46:41.000Z")
        delivered.recipient = "000.00.00.H58"
        delivered.target = "docrelay.in.000.00.00.H58"
        delivered.latencyMilliseconds = 42
        var retried = event(.retried, "2026-11-18T21:46:40.500Z")
        retried.errorClass = "unreachable"
        retried.reason = "docrelay.in.000.00.32.H53: unknown topic"
        retried.attempt = 1
        let records = HubRecords(
            deadLetters: [
                DeadLetters.entry(DeadLetters.original(), errorClass: .exhausted, at: DeadLetters.created.addingTimeInterval(2), offset: 8),
                DeadLetters.entry(DeadLetters.original(id: "doc-2")),
            ],
            events: [
                delivered, retried, event(.accepted, "2026-11-18T21:46:40.000Z"), event(.accepted, "2026-11-18T21:46:39.000Z", id: "doc-2"),
                event(.acked, "2026-11-18T21:46:41.000Z"),
            ])
        var journey = DocumentJourney(id: "doc-1")
        journey.add(records, from: "national")
        let lines = journey.steps.map(\.line)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("2026-11-18T21:46:40.000Z  national/relay-1  accepted"))
        #expect(lines[1] == "2026-11-18T21:46:40.500Z  national/relay-1  retried  unreachable: docrelay.in.000.00.32.H53: unknown topic, attempt 1")
        #expect(lines[2] == "2026-11-18T21:46:41.000Z  national/relay-1  delivered  recipient 000.00.00.H58, → docrelay.in.000.00.00.H58, latency 42 ms")
        #expect(lines[3].hasPrefix("2026-11-18T21:46:41.000Z  national/relay-1  acked"), "equal times keep the order read")
        #expect(lines[4].hasPrefix("2026-11-18T21:46:42.000Z  national/dlq  in-dlq  docrelay.dlq/0/8, exhausted: "))
        #expect(lines[4].hasSuffix("not replayed"))
        #expect(journey.steps[4].json.hasPrefix(#"{"event":"in-dlq","at":"#))

        var none = DocumentJourney(id: "doc-3")
        none.add(records, from: "national")
        #expect(none.isEmpty)
    }

    @Test("trace by a business id: the document, then its update and revocation, each line naming its message")
    func journeyOfBusinessID() {
        let update = "doc-1#update-00112233aabbccdd"
        let revocation = "doc-1#revocation-44556677eeff0011"
        let records = HubRecords(
            deadLetters: [DeadLetters.entry(DeadLetters.original(id: revocation), errorClass: .exhausted, at: DeadLetters.created, offset: 3)],
            events: [
                RelayEvent(event: .accepted, id: "doc-1", hub: "national", instance: "relay-1", at: "2026-11-18T21:46:40.000Z"),
                RelayEvent(event: .accepted, id: update, hub: "national", instance: "relay-1", at: "2026-11-18T21:46:50.000Z"),
                RelayEvent(event: .accepted, id: "doc-10", hub: "national", instance: "relay-1", at: "2026-11-18T21:46:55.000Z"),
                RelayEvent(event: .accepted, id: "doc-1#update-0011", hub: "national", instance: "relay-1", at: "2026-11-18T21:46:56.000Z"),
            ])
        var journey = DocumentJourney(id: "doc-1")
        journey.add(records, from: "national")
        let lines = journey.steps.map(\.line)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.contains("2026-11-18T21:46:40.000Z  national/relay-1  accepted"))
        #expect(lines.contains("2026-11-18T21:46:50.000Z  national/relay-1  accepted  update \(update)"))
        #expect(lines.contains { $0.contains("national/dlq  in-dlq  revocation \(revocation)  docrelay.dlq/0/3, exhausted: ") }, "\(lines)")

        var one = DocumentJourney(id: update)
        one.add(records, from: "national")
        #expect(one.steps.count == 1)
    }
}

@Suite("dlq show: what an operator sees of one dead letter")
struct DeadLetterInspectionTests {
    let fixture = VerificationFixture.shared

    @Test("A signed dead letter, verified again: the sender is authentic; every header is shown")
    func verifiedSender() throws {
        let original = DeadLetters.signed(try fixture.record(to: ["000.00.00.H58"], id: "doc-verified"))
        let entry = DeadLetters.entry(original, errorClass: .exhausted, reason: "docrelay.in.000.00.00.H58: unknown topic")
        let lines = DeadLetterInspection(entry, verifier: fixture.verifier(), withoutVerifier: "-").lines
        let text = lines.joined(separator: "\n")
        #expect(lines[0] == "dead letter docrelay.dlq/0/0  (document doc-verified)")
        #expect(text.contains("  class          exhausted"))
        #expect(text.contains("  reason         docrelay.in.000.00.00.H58: unknown topic"))
        #expect(text.contains("  read from      docrelay.out.000.00.00.G22/0/3"))
        #expect(text.contains("  replayed       never"))
        #expect(text.contains("verified: 000.00.00.G22 (Văn phòng Chính phủ), signed by \(fixture.g22.certificate.subject)"))
        for name in HeaderName.signed + [HeaderName.errorClass, HeaderName.error, HeaderName.originTopic, HeaderName.deadLetteredAt] {
            #expect(lines.contains { $0.hasPrefix("  \(name) ") }, "header \(name) shown")
        }
        #expect(text.contains("… ("), "the signature is shortened")
        #expect(text.contains("matches the signed dr-sha256"))
        #expect(text.contains("preview (text, text/plain)\n  | Công văn số 12/UBND-VP"))
    }

    @Test("A forged sender: not verified, with the class and reason the relay would give")
    func rejectedSender() throws {
        // Signed by H58's certificate but claiming to be G22.
        let original = DeadLetters.signed(try fixture.record(by: fixture.h58, from: "000.00.00.G22", to: ["000.00.00.H58"]))
        let entry = DeadLetters.entry(original, errorClass: .sender, reason: "not bound")
        let text = DeadLetterInspection(entry, verifier: fixture.verifier(), withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(text.contains("not verified (sender): the certificate"))
        #expect(text.contains("the sender is not authenticated"))
    }

    @Test("Without the hub's trust: says why the sender is not checked")
    func notChecked() throws {
        let entry = DeadLetters.entry(DeadLetters.original())
        let text = DeadLetterInspection(entry, verifier: nil, withoutVerifier: "verification needs --config").lines.joined(separator: "\n")
        #expect(text.contains("sender\n  not checked: verification needs --config"))
        #expect(text.contains("(no dr-sha256 to compare with)"))
        #expect(text.contains("signed headers (missing: dr-created, dr-ref, dr-sha256, dr-signature)"))
    }

    @Test("edXML: a readable preview of its header; a tampered one is refused with an authentic sender")
    func edXMLPreview() throws {
        let url = try #require(Bundle.module.url(forResource: "edoc-G22-to-three-agencies", withExtension: "edxml", subdirectory: "Fixtures"))
        let value = try Array(Data(contentsOf: url))
        let header = try EdXMLReader.readHeader(value)
        let signed = try fixture.record(value, to: header.to, contentType: "application/edxml+xml", id: header.documentId)
        let entry = DeadLetters.entry(DeadLetters.signed(signed), errorClass: .recipient, reason: "dr-to: unknown")
        let text = DeadLetterInspection(entry, verifier: fixture.verifier(), withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(text.contains("preview (edXML)"))
        #expect(text.contains("  From        000.00.00.G22"))
        #expect(text.contains("  To          \(header.to.joined(separator: ", "))"))
        #expect(text.contains("  DocumentId  \(header.documentId ?? "?")"))
        #expect(text.contains("  Code        \(header.code ?? "?")"))
        #expect(text.contains("  Subject     \(header.subject ?? "?")"))
        #expect(text.contains("  Status      - (a document, not a status)"))
        #expect(text.contains("not verified (recipient)"), "its recipients are not in the fixture's directory")
        #expect(text.contains("the sender 000.00.00.G22 is authentic"))
    }

    @Test("A truncated value: the sizes and the original digest against the signed one")
    func truncated() throws {
        let value = Array(repeating: UInt8(ascii: "a"), count: 5000)
        let signed = try fixture.record(value, to: ["000.00.00.H58"])
        let entry = DeadLetters.entry(DeadLetters.signed(signed), errorClass: .oversize, reason: "too big", maxValueBytes: 2048, keptBytes: 1000)
        let text = DeadLetterInspection(entry, verifier: nil, withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(text.contains("truncated here: 1000 of 5000 bytes kept"))
        #expect(text.contains("original SHA-256 \(SHA256Hex.of(value)), matches the signed dr-sha256"))
        #expect(text.contains("kept bytes' SHA-256 \(SHA256Hex.of(Array(value.prefix(1000))))"))
    }

    @Test("A value cut when dead-lettered: the signed headers verified alone, and it says it cannot be replayed")
    func truncatedCannotBeReplayed() throws {
        let value = Array(repeating: UInt8(ascii: "a"), count: 5000)
        let signed = try fixture.record(value, to: ["000.00.00.H58"], id: "doc-cut")
        let entry = DeadLetters.entry(DeadLetters.signed(signed), errorClass: .oversize, reason: "too big", maxValueBytes: 2048, keptBytes: 1000)
        let text = DeadLetterInspection(entry, verifier: fixture.verifier(), withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(text.contains(
            "  replay         cannot be replayed: the value was cut to 1000 of 5000 bytes when it was dead-lettered: "
                + "the document itself is gone; ask the sender to send it again"))
        #expect(text.contains("sender\n  signed headers verified: 000.00.00.G22 (Văn phòng Chính phủ), signed by \(fixture.g22.certificate.subject)"))
        #expect(text.contains("the value was cut here: its digest and content cannot be checked"))
        #expect(!text.contains("not verified"), "the cut is not the sender's signature failing")

        // A forged one: its headers do not verify.
        let forged = try fixture.record(value, by: fixture.h58, to: ["000.00.00.H58"], id: "doc-forged")
        let forgedEntry = DeadLetters.entry(DeadLetters.signed(forged), errorClass: .oversize, reason: "too big", maxValueBytes: 2048, keptBytes: 1000)
        let forgedText = DeadLetterInspection(forgedEntry, verifier: fixture.verifier(), withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(forgedText.contains("not verified (sender): the certificate"))
        #expect(forgedText.contains("the sender is not authenticated"))

        let whole = DeadLetters.entry(DeadLetters.signed(try fixture.record(to: ["000.00.00.H58"])))
        let wholeText = DeadLetterInspection(whole, verifier: fixture.verifier(), withoutVerifier: "-").lines.joined(separator: "\n")
        #expect(!wholeText.contains("  replay  "))
    }

    @Test("Binary values are shown as hex; text cut inside a character is still text")
    func previews() {
        let binary: [UInt8] = [0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0xff] + Array(repeating: 0x41, count: 20)
        #expect(DeadLetterInspection.textPreview(binary) == nil)
        let dump = DeadLetterInspection.hexDump(binary)
        #expect(dump.count == 2)
        #expect(dump[0] == "  0000  25 50 44 46 00 01 ff 41 41 41 41 41 41 41 41 41  %PDF...AAAAAAAAA")
        // The preview reads 1,200 bytes: here they end inside the three bytes of "ế".
        let long = Array(repeating: UInt8(ascii: "a"), count: 1199) + Array("ế và nhiều nữa".utf8)
        let cut = DeadLetterInspection.textPreview(long)
        #expect(cut?.last == "…", "a text preview, marked as cut")
        #expect(DeadLetterInspection.textPreview([0x61, 0xE1, 0xBA]) == nil, "a whole value ending mid-character is not text")
        #expect(DeadLetterInspection.textPreview(Array("a\nb".utf8)) == ["a", "b"])
        #expect(DeadLetterInspection.textPreview(Array("a\n\nb\n".utf8)) == ["a", "", "b"], "no empty line for the final line break")
    }
}

@Suite("A large document's dead letter (issue 13)")
struct SegmentDeadLetterTests {
    @Test("Headers with dr-segment and dr-size, no value: not replayable, --force or not, naming why")
    func notReplayable() throws {
        let fixture = VerificationFixture.shared
        let hub = OperatorHub(kafka: KafkaSettings(bootstrap: "127.0.0.1:9092"), topics: TopicNames(), retryTiers: [])
        var record = DeadLetters.signed(try fixture.record(to: ["000.00.00.H58"], id: "doc-large"))
        record.value = []
        record.headers += DocumentSegment(index: 0, count: 24, documentSize: 12_582_912).headers.map { KafkaHeader(name: $0.name, value: $0.value) }
        let entry = DeadLetters.entry(record, errorClass: .incomplete, reason: "only 10 of 24 segments came", offset: 7)
        let why = "a document sent in segments (0/24 of 12582912 bytes): the hub keeps its headers, not the document; ask the sender to send it again"
        #expect(entry.letter.replayRefusal == why)
        for replay in [DeadLetterReplay(hub: hub), DeadLetterReplay(hub: hub, force: true)] {
            guard case .refused(_, let reason)? = replay.dryRun([entry]).first else {
                Issue.record("not refused")
                continue
            }
            #expect(reason == why)
        }
        // dlq show: the signed headers checked alone; the document named as not kept.
        let shown = DeadLetterInspection(entry, verifier: fixture.verifier(), withoutVerifier: "").lines.joined(separator: "\n")
        #expect(shown.contains("signed headers verified: 000.00.00.G22"), "\(shown)")
        #expect(shown.contains("a document sent in segments: the hub kept its headers, not the document"), "\(shown)")
        #expect(shown.contains("not kept: a document sent in segments, 12582912 bytes (dr-size)"), "\(shown)")
        #expect(!shown.contains("not verified"), "\(shown)")
    }
}
