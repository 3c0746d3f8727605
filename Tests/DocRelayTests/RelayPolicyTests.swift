@testable import DocRelay
@testable import DocRelayDocuments
import DocRelayCore
@testable import DocRelayKafka
import DocRelaySigning
import Foundation
import Testing

/// The relay's rules as values (`RelayPolicy`), without Kafka: each case is a record, its
/// verdict, the hub that reads it and what became of its writes; the expected plan, records
/// written (topics, event kinds, header values), acks and decisions.
@Suite("The relay's rules: admit and settle, case by case")
struct RelayPolicyTests {
    // MARK: The table

    static let cases: [PolicyCase] = [
        PolicyCase(
            "delivered to an inbox here: delivered event and a positive ack",
            to: [ministry],
            plan: "inbox docrelay.in.000.00.00.G17",
            attempted: [HeaderName.hop: "national/relay-1/2026-12-01T08:00:02.000Z"],
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "forwarded to the next hub with dr-pending-to: forwarded event, no ack (the delivering hub acks)",
            to: [ministry, tienGiang, noiVuTayNinh],
            plan: "inbox docrelay.in.000.00.00.G17; hub h53 000.00.32.H53; hub h58 000.00.00.H58",
            attempted: [HeaderName.hop: "national/relay-1/2026-12-01T08:00:02.000Z"],
            forwardPendingTo: ["000.00.32.H53", "000.00.00.H58"],
            writes: [
                "docrelay.events accepted", "docrelay.events forwarded", "docrelay.events forwarded",
                "docrelay.events delivered",
            ],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["forwarded h53", "forwarded h58", "delivered 000.00.00.G17"]),
        PolicyCase(
            "unroutable: dead letter of class recipient and a negative ack, no retry",
            to: [ministry, tienGiang],
            unroutable: [tienGiang],
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.events delivered", "docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [
                HeaderName.errorClass: "recipient", HeaderName.pendingTo: "000.00.00.H58",
                HeaderName.error: "000.00.00.H58: no hub leads there",
                HeaderName.originTopic: "docrelay.out.000.00.00.G22",
            ],
            acks: ["delivered 000.00.00.G17", "failed 000.00.00.H58 recipient: 000.00.00.H58: no hub leads there"],
            decisions: ["delivered 000.00.00.G17", "dead-lettered recipient"]),
        PolicyCase(
            "a passing failure: the first retry tier, pending only what failed",
            to: [ministry, noiVuTayNinh],
            failing: [noiVuTayNinh],
            plan: "inbox docrelay.in.000.00.00.G17; hub h53 000.00.32.H53",
            forwardPendingTo: ["000.00.32.H53"],
            writes: ["docrelay.events accepted", "docrelay.events delivered", "docrelay.retry.5s", "docrelay.events retried"],
            headers: [
                HeaderName.attempt: "1", HeaderName.notBefore: "2026-12-01T08:00:07.000Z",
                HeaderName.pendingTo: "000.00.32.H53",
                HeaderName.error: "000.00.32.H53: hub h53 is unreachable",
                HeaderName.originTopic: "docrelay.out.000.00.00.G22", HeaderName.originPartition: "3",
                HeaderName.originOffset: "41",
            ],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17", "retried 5s"]),
        PolicyCase(
            "a retry failing again: the next tier, attempt 2, where it was first read kept",
            to: [ministry, noiVuTayNinh],
            topic: "docrelay.retry.5s",
            relay: retryHeaders(attempt: 1, pendingTo: ministry),
            failing: [ministry],
            plan: "inbox docrelay.in.000.00.00.G17",
            attempted: [HeaderName.attempt: "-", HeaderName.pendingTo: "-", HeaderName.originTopic: "-"],
            writes: ["docrelay.retry.1m", "docrelay.events retried"],
            headers: [
                HeaderName.attempt: "2", HeaderName.notBefore: "2026-12-01T08:01:02.000Z",
                HeaderName.pendingTo: "000.00.00.G17",
                HeaderName.error: "000.00.00.G17: docrelay.in.000.00.00.G17: _MSG_TIMED_OUT: Local: Message timed out (retriable)",
                HeaderName.originTopic: "docrelay.out.000.00.00.G22", HeaderName.originOffset: "7",
            ],
            decisions: ["retried 1m"]),
        PolicyCase(
            "the last tier failing: dead letter exhausted, negative ack",
            to: [ministry],
            topic: "docrelay.retry.1h",
            relay: retryHeaders(attempt: 4, pendingTo: ministry),
            failing: [ministry],
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [
                HeaderName.errorClass: "exhausted", HeaderName.pendingTo: "000.00.00.G17",
                HeaderName.error: "every retry tier tried (5s, 1m, 10m, 1h): 000.00.00.G17: docrelay.in.000.00.00.G17: "
                    + "_MSG_TIMED_OUT: Local: Message timed out (retriable)",
                HeaderName.deadLetteredAt: "2026-12-01T08:00:02.000Z",
                HeaderName.originTopic: "docrelay.out.000.00.00.G22", HeaderName.attempt: "4",
            ],
            acks: [
                "failed 000.00.00.G17 exhausted: every retry tier tried (5s, 1m, 10m, 1h): 000.00.00.G17: "
                    + "docrelay.in.000.00.00.G17: _MSG_TIMED_OUT: Local: Message timed out (retriable)",
            ],
            decisions: ["dead-lettered exhausted"]),
        PolicyCase(
            "older than the maximum age: dead letter exhausted at the first failure",
            to: [ministry],
            age: 25 * 3600,
            failing: [ministry],
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [
                HeaderName.errorClass: "exhausted",
                HeaderName.error: "older than the maximum age (86400.0 seconds): 000.00.00.G17: docrelay.in.000.00.00.G17: "
                    + "_MSG_TIMED_OUT: Local: Message timed out (retriable)",
            ],
            acks: [
                "failed 000.00.00.G17 exhausted: older than the maximum age (86400.0 seconds): 000.00.00.G17: "
                    + "docrelay.in.000.00.00.G17: _MSG_TIMED_OUT: Local: Message timed out (retriable)",
            ],
            decisions: ["dead-lettered exhausted"]),
        PolicyCase(
            "published on another agency's out topic: refused sender, no ack",
            to: [ministry],
            topic: "docrelay.out.000.00.00.H58",
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [
                HeaderName.errorClass: "sender",
                HeaderName.error: "published on docrelay.out.000.00.00.H58, but dr-from is 000.00.00.G22",
                HeaderName.originTopic: "docrelay.out.000.00.00.H58",
            ],
            decisions: ["refused sender docrelay.out.000.00.00.H58"]),
        PolicyCase(
            "a path that passed this hub: refused malformed (loop), negative acks to the authentic sender",
            to: [ministry, tienGiang],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.hop, "national/relay-2/2026-12-01T08:00:00.500Z"), (HeaderName.hop, "h58/relay-1/2026-12-01T08:00:01.000Z")],
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [
                HeaderName.errorClass: "malformed",
                HeaderName.error: "loop: it passed hub national before (dr-hop: national → h58)",
            ],
            acks: [
                "failed 000.00.00.G17 malformed: loop: it passed hub national before (dr-hop: national → h58)",
                "failed 000.00.00.H58 malformed: loop: it passed hub national before (dr-hop: national → h58)",
            ],
            decisions: ["refused malformed docrelay.hub.national"]),
        PolicyCase(
            "as many hops as the limit: refused malformed (loop)",
            maxHops: 2,
            to: [ministry],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.hop, "h58/relay-1/2026-12-01T08:00:00.500Z"), (HeaderName.hop, "h53/relay-1/2026-12-01T08:00:01.000Z")],
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "malformed", HeaderName.error: "loop: 2 hops, the limit is 2 (dr-hop: h58 → h53)"],
            acks: ["failed 000.00.00.G17 malformed: loop: 2 hops, the limit is 2 (dr-hop: h58 → h53)"],
            decisions: ["refused malformed docrelay.hub.national"]),
        PolicyCase(
            "dr-pending-to naming none of dr-to: refused malformed, no ack",
            to: [ministry],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.pendingTo, "000.00.32.H53")],
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "malformed", HeaderName.error: "dr-pending-to names none of dr-to"],
            decisions: ["refused malformed docrelay.hub.national"]),
        PolicyCase(
            "dr-pending-to: only the recipients it names are served",
            to: [ministry, tienGiang],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.pendingTo, "000.00.00.G17")],
            plan: "inbox docrelay.in.000.00.00.G17",
            attempted: [HeaderName.pendingTo: "-"],
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "a replay: no accepted event again",
            to: [ministry],
            topic: "docrelay.retry.5s",
            relay: [(HeaderName.attempt, "0"), (HeaderName.replayed, "2026-12-01T07:00:00.000Z")],
            plan: "inbox docrelay.in.000.00.00.G17",
            attempted: [HeaderName.replayed: "-", HeaderName.attempt: "-"],
            writes: ["docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "a rejection of an authentic sender: refused with its class, a negative ack per recipient",
            to: [ministry, tienGiang],
            rejection: (.signature, "dr-sha256: the value's SHA-256 is 00, not the signed 11", authentic: true),
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "signature"],
            acks: [
                "failed 000.00.00.G17 signature: dr-sha256: the value's SHA-256 is 00, not the signed 11",
                "failed 000.00.00.H58 signature: dr-sha256: the value's SHA-256 is 00, not the signed 11",
            ],
            decisions: ["refused signature docrelay.out.000.00.00.G22"]),
        PolicyCase(
            "refused from a neighbour hub: negative acks only for its pending recipients, kept in the dead letter",
            to: [ministry, tienGiang],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.pendingTo, "000.00.00.G17")],
            rejection: (.oversize, "expected a value of at most 524288 bytes, not 1000000", authentic: true),
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "oversize", HeaderName.pendingTo: "000.00.00.G17"],
            acks: ["failed 000.00.00.G17 oversize: expected a value of at most 524288 bytes, not 1000000"],
            decisions: ["refused oversize docrelay.hub.national"]),
        PolicyCase(
            "a rejection of a sender not authenticated: refused, no ack",
            to: [ministry],
            rejection: (.sender, "the certificate is not bound to 000.00.00.G22 in the directory", authentic: false),
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "sender"],
            decisions: ["refused sender docrelay.out.000.00.00.G22"]),
        PolicyCase(
            "a status from an agency is acked like a document",
            to: [ministry],
            kind: .status,
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "an ack delivered here: no ack for an ack",
            from: "hub:h58", to: [ministry],
            kind: .ack,
            topic: "docrelay.hub.national",
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "a hub-signed record exhausted: dead letter, no negative ack",
            from: "hub:h58", to: [ministry],
            kind: .ack,
            topic: "docrelay.retry.1h",
            relay: retryHeaders(attempt: 4, pendingTo: ministry),
            failing: [ministry],
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "exhausted"],
            decisions: ["dead-lettered exhausted"]),
        PolicyCase(
            "accepted first from an out topic: its ledger entry written first, then as before",
            to: [ministry],
            ledger: .empty,
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.accepted", "docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "a replay (same sender, id and sha256 in the ledger): not delivered, no ack, a duplicate event",
            to: [ministry],
            ledger: .holds(sha256: sameContent),
            plan: "skip",
            writes: ["docrelay.events duplicate"],
            decisions: ["duplicate doc-1 docrelay.out.000.00.00.G22/2/7"]),
        PolicyCase(
            "a conflict (same sender and id, another sha256): refused duplicate with a negative ack",
            to: [ministry],
            ledger: .holds(sha256: otherContent),
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "duplicate", HeaderName.error: conflictReason],
            acks: ["failed 000.00.00.G17 duplicate: \(conflictReason)"],
            decisions: ["refused duplicate docrelay.out.000.00.00.G22"]),
        PolicyCase(
            "the first's own record read again (same offset, not committed before a stop): delivered again, at least once",
            to: [ministry],
            ledger: .holdsThisRecord,
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "read from this hub's topic: not checked against the ledger, delivered",
            to: [ministry],
            topic: "docrelay.hub.national",
            relay: [(HeaderName.hop, "h58/relay-1/2026-12-01T08:00:01.000Z")],
            ledger: .holds(sha256: sameContent),
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events accepted", "docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "read from a retry topic: not checked against the ledger, delivered",
            to: [ministry],
            topic: "docrelay.retry.5s",
            relay: retryHeaders(attempt: 1, pendingTo: ministry),
            ledger: .holds(sha256: otherContent),
            plan: "inbox docrelay.in.000.00.00.G17",
            writes: ["docrelay.events delivered"],
            acks: ["delivered 000.00.00.G17"],
            decisions: ["delivered 000.00.00.G17"]),
        PolicyCase(
            "a hub-signed record in a loop: refused malformed, no negative ack",
            from: "hub:h58", to: [ministry],
            kind: .ack,
            topic: "docrelay.hub.national",
            relay: [(HeaderName.hop, "national/relay-1/2026-12-01T08:00:01.000Z")],
            plan: "refuse",
            writes: ["docrelay.dlq", "docrelay.events dead-lettered"],
            headers: [HeaderName.errorClass: "malformed"],
            decisions: ["refused malformed docrelay.hub.national"]),
    ]

    @Test("admit, then settle what the writes did", arguments: Self.cases)
    func policy(_ example: PolicyCase) throws {
        let directory = try #require(Self.directory)
        let policy = RelayPolicy(
            hubID: example.hub, instance: "relay-1", topics: TopicNames(), tiers: RetryTier.defaults,
            maxAge: .seconds(86_400), limits: EnvelopeLimits(), maxHops: example.maxHops)
        let record = try example.record()
        let verdict = try example.verdict(for: record, in: directory)
        let now = Self.created.addingTimeInterval(example.age)

        // The executor's part: look the identity up in the ledger (claiming it when new).
        var check = LedgerCheck.unchecked
        if let ledger = example.ledger {
            var index = AcceptanceIndex(keep: .seconds(7 * 86_400 + 300))
            switch ledger {
            case .empty: break
            case .holds(let sha256): _ = index.claim(Self.firstEntry(sha256: sha256), now: now)
            case .holdsThisRecord:
                var entry = Self.firstEntry(sha256: Self.sameContent)
                (entry.partition, entry.offset) = (record.partition, record.offset)
                _ = index.claim(entry, now: now)
            }
            if let entry = policy.ledgerEntry(for: record, verdict: verdict, now: now) {
                check = index.claim(entry, now: now).map(LedgerCheck.seen) ?? .first(entry)
            }
        }

        let settlement: RelaySettlement
        switch policy.admit(record, verdict: verdict, directory: directory, ledger: check, now: now) {
        case .refuse(let refusal):
            #expect(example.plan == "refuse")
            settlement = refusal
        case .skip(let skipped):
            #expect(example.plan == "skip")
            settlement = skipped
        case .deliver(var delivery):
            if !example.unroutable.isEmpty {
                // A valid directory always leads somewhere: make the case by hand.
                delivery = RelayDelivery(
                    record: delivery.record, signed: delivery.signed, attempt: delivery.attempt, accepted: delivery.accepted,
                    inboxes: delivery.inboxes.filter { !example.unroutable.contains($0.recipient) },
                    forwards: delivery.forwards.filter { !$0.recipients.contains(where: example.unroutable.contains) },
                    unroutable: example.unroutable.map { RecipientFailure(recipient: $0, reason: "no hub leads there") })
            }
            let plan = delivery.inboxes.map { "inbox \($0.record.topic)" }
                + delivery.forwards.map { "hub \($0.hub) \($0.recipients.joined(separator: ","))" }
            #expect(plan.joined(separator: "; ") == example.plan)
            for write in delivery.inboxes.map(\.record) + delivery.forwards.map(\.record) {
                #expect(write.key == Array("doc-1".utf8))
                #expect(write.value == record.value)
                for (name, value) in example.attempted {
                    #expect(write.headers.last(named: name) == (value == "-" ? nil : value), "\(name)")
                }
            }
            #expect(delivery.forwards.map { $0.record.headers.last(named: HeaderName.pendingTo) ?? "" } == example.forwardPendingTo)
            settlement = policy.settle(delivery, outcomes: example.outcomes(of: delivery), now: now)
        }

        #expect(settlement.writes.map(Self.described) == example.writes)
        for write in settlement.writes where write.topic != "docrelay.events" {
            for (name, value) in example.headers {
                #expect(write.headers.last(named: name) == value, "\(write.topic) \(name)")
            }
        }
        for write in settlement.writes where write.topic == "docrelay.events" {
            #expect(write.key == Array("doc-1".utf8))
        }
        let acks = (settlement.acks + settlement.negativeAcks).map {
            "\($0.outcome.rawValue) \($0.recipient)" + ($0.reason.map { " \($0)" } ?? "")
        }
        #expect(acks == example.acks)
        #expect(settlement.decisions.map(Self.described) == example.decisions)
    }

    // MARK: Beyond the table

    @Test("A refusal's event names the document and where it was read; without decodable headers, only where")
    func refusalEvent() throws {
        let policy = Self.policy()
        let record = try PolicyCase("", to: [Self.ministry]).record()
        let headers = record.headers.map { (name: $0.name, value: $0.value) }
        let signed = try Envelope.decode(headers: headers, valueLength: record.value.count).signed
        let named = policy.refusal(of: record, Rejection(.malformed, "edXML: no"), signed: signed, now: Self.created)
        let event = try #require(RelayEvent.decode(named.writes[1].value))
        #expect(event.id == "doc-1" && event.from == "000.00.00.G22" && event.to == ["000.00.00.G17"])
        #expect(event.topic == "docrelay.out.000.00.00.G22" && event.partition == 3 && event.offset == 41)
        #expect(event.errorClass == "malformed" && event.reason == "edXML: no" && event.target == "docrelay.dlq")
        #expect(event.at == "2026-12-01T08:00:00.000Z")

        let unnamed = policy.refusal(
            of: record, Rejection(.malformed, "dr-id: no", authenticSender: try AgencyCode(parsing: "000.00.00.G22")),
            signed: nil, now: Self.created)
        let anonymous = try #require(RelayEvent.decode(unnamed.writes[1].value))
        #expect(anonymous.id == "docrelay.out.000.00.00.G22/3/41" && anonymous.from == nil)
        #expect(unnamed.negativeAcks.isEmpty)
    }

    @Test("The verifier's rejection carries the headers it decoded, also when only the value was too large")
    func rejectionCarriesHeaders() throws {
        let fixture = VerificationFixture.shared
        var tampered = try fixture.record(id: "doc-7")
        tampered.value[0] ^= 1
        guard case .failure(let refused) = fixture.verifier().verify(headers: tampered.headers, value: tampered.value) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.signed?.id == "doc-7")

        let large = try fixture.record(id: "doc-8")
        let small = DocumentVerifier(
            directory: fixture.directory, trust: fixture.trust, limits: EnvelopeLimits(maxValueBytes: large.value.count - 1))
        guard case .failure(let oversize) = small.verify(headers: large.headers, value: large.value) else {
            Issue.record("accepted")
            return
        }
        #expect(oversize.errorClass == .oversize)
        #expect(oversize.signed?.id == "doc-8")

        let broken = large.headers.replacing(HeaderName.kind, with: "letter")
        guard case .failure(let malformed) = fixture.verifier().verify(headers: broken, value: large.value) else {
            Issue.record("accepted")
            return
        }
        #expect(malformed.signed == nil)
    }

    @Test("An ack goes to the sender's inbox here, or toward its hub with this hop, or fails if no way")
    func ackWays() throws {
        let directory = try #require(Self.directory)
        let policy = Self.policy()
        let now = Self.created
        let here = OutgoingAck(record: Self.ackRecord(to: "000.00.00.G22"), ref: "doc-1", recipient: Self.tienGiang, sender: "000.00.00.G22")
        #expect(policy.way(of: here, in: directory, now: now) == .inbox(here.record))

        let away = OutgoingAck(record: Self.ackRecord(to: Self.tienGiang), ref: "doc-2", recipient: Self.ministry, sender: Self.tienGiang)
        guard case .forward(let hub, let forwarded) = policy.way(of: away, in: directory, now: now) else {
            Issue.record("not forwarded")
            return
        }
        #expect(hub == "h58")
        #expect(forwarded.headers.last(named: HeaderName.hop) == "national/relay-1/2026-12-01T08:00:00.000Z")
        #expect(forwarded.headers.count == away.record.headers.count + 1)
    }

    @Test("Acks written: acked events; an ack not written: the first tier, pending its sender")
    func ackSettlement() throws {
        let policy = Self.policy()
        let now = Self.created
        let acks = [
            OutgoingAck(record: Self.ackRecord(to: "000.00.00.G22"), ref: "doc-1", recipient: Self.ministry, sender: "000.00.00.G22"),
            OutgoingAck(record: Self.ackRecord(to: "000.00.00.G22"), ref: "doc-1", recipient: Self.tienGiang, sender: "000.00.00.G22"),
        ]
        let settlement = policy.settleAcks(
            acks,
            outcomes: [
                0: .success(KafkaDeliveryReport(topic: "docrelay.in.000.00.00.G22", partition: 1, offset: 9)),
                1: .failure(ForwardFailure(hub: "national", reason: "docrelay.in.000.00.00.G22: _MSG_TIMED_OUT")),
            ],
            now: now)
        #expect(settlement.writes.map(Self.described) == ["docrelay.events acked", "docrelay.retry.5s", "docrelay.events retried"])
        let acked = try #require(RelayEvent.decode(settlement.writes[0].value))
        #expect(acked.id == "doc-1" && acked.recipient == Self.ministry && acked.target == "docrelay.in.000.00.00.G22/1/9")
        let retry = settlement.writes[1]
        #expect(retry.headers.last(named: HeaderName.attempt) == "1")
        #expect(retry.headers.last(named: HeaderName.notBefore) == "2026-12-01T08:00:05.000Z")
        #expect(retry.headers.last(named: HeaderName.pendingTo) == "000.00.00.G22")
        #expect(retry.headers.last(named: HeaderName.error) == "docrelay.in.000.00.00.G22: _MSG_TIMED_OUT")
        let retried = try #require(RelayEvent.decode(settlement.writes[2].value))
        #expect(retried.reason == "ack not delivered: docrelay.in.000.00.00.G22: _MSG_TIMED_OUT")
        #expect(settlement.decisions == [.acked, .ackRetried(tier: RetryTier.defaults[0])])
    }

    @Test("A retry the broker refused for good: dead letter exhausted naming both failures, negative acks for what was pending")
    func refusedRetry() throws {
        let policy = Self.policy()
        let record = try PolicyCase("", to: [Self.ministry, Self.tienGiang], relay: Self.retryHeaders(attempt: 1, pendingTo: Self.tienGiang)).record()
        let retry = KafkaProducerRecord(topic: "docrelay.retry.1m", key: record.key, value: record.value, headers: record.headers)
        let settlement = policy.settleRefusedRetry(retry, reason: "retry topic docrelay.retry.1m does not exist", now: Self.created)
        #expect(settlement.writes.map(Self.described) == ["docrelay.dlq", "docrelay.events dead-lettered"])
        let why = "retry topic docrelay.retry.1m does not exist; before: earlier failure"
        #expect(settlement.writes[0].headers.last(named: HeaderName.error) == why)
        #expect(settlement.writes[0].headers.last(named: HeaderName.originTopic) == "docrelay.out.000.00.00.G22")
        #expect(settlement.writes[0].headers.last(named: HeaderName.pendingTo) == Self.tienGiang)
        #expect(settlement.negativeAcks.map(\.recipient) == [Self.tienGiang])
        #expect(settlement.negativeAcks.first?.reason == "exhausted: \(why)")
    }

    @Test("A replay's event says when and where the first was accepted; the first's ledger entry says where it was read")
    func duplicateEventAndLedgerEntry() throws {
        let directory = try #require(Self.directory)
        let policy = Self.policy()
        let example = PolicyCase("", to: [Self.ministry])
        let record = try example.record()
        let verdict = try example.verdict(for: record, in: directory)
        let now = Self.created.addingTimeInterval(2)
        var index = AcceptanceIndex(keep: .seconds(86_400))
        let entry = try #require(policy.ledgerEntry(for: record, verdict: verdict, now: now))
        #expect(index.claim(entry, now: now) == nil)
        let write = entry.record(topics: TopicNames())
        #expect(write.topic == "docrelay.accepted")
        #expect(write.key == Array("000.00.00.G22\ndoc-1".utf8))
        #expect(String(decoding: write.value, as: UTF8.self) == """
            {"at":"2026-12-01T08:00:02.000Z","hub":"national","offset":41,"partition":3,"sha256":"\(Self.sameContent)",\
            "topic":"docrelay.out.000.00.00.G22"}
            """)
        #expect(AcceptanceEntry.decode(key: write.key, value: write.value) == entry)

        let later = now.addingTimeInterval(60)
        let claimed = index.claim(entry, now: later)
        let first = try #require(claimed)
        // The same record produced again: the next offset.
        let replay = KafkaRecord(
            topic: record.topic, partition: record.partition, offset: 42, key: record.key, value: record.value, headers: record.headers)
        guard case .skip(let skipped) = policy.admit(replay, verdict: verdict, directory: directory, ledger: .seen(first), now: later) else {
            Issue.record("not skipped")
            return
        }
        let event = try #require(RelayEvent.decode(skipped.writes[0].value))
        #expect(event.event == .duplicate && event.id == "doc-1" && event.from == "000.00.00.G22")
        #expect(event.firstAccepted == "2026-12-01T08:00:02.000Z")
        #expect(event.target == "docrelay.out.000.00.00.G22/3/41")
        #expect(event.topic == "docrelay.out.000.00.00.G22" && event.offset == 42)
        #expect(skipped.acks.isEmpty && skipped.negativeAcks.isEmpty)
    }

    @Test("Only a verified record of an agency's out topic, from that agency, gets a ledger entry")
    func ledgerEntryOnlyForOutTopics() throws {
        let directory = try #require(Self.directory)
        let policy = Self.policy()
        let now = Self.created
        for (example, expected) in [
            (PolicyCase("", to: [Self.ministry]), true),
            (PolicyCase("", to: [Self.ministry], topic: "docrelay.hub.national"), false),
            (PolicyCase("", to: [Self.ministry], topic: "docrelay.retry.5s"), false),
            (PolicyCase("", to: [Self.ministry], topic: "docrelay.out.000.00.00.G17"), false),
            (PolicyCase("", to: [Self.ministry], rejection: (.signature, "bad", authentic: false)), false),
        ] {
            let record = try example.record()
            let verdict = try example.verdict(for: record, in: directory)
            #expect((policy.ledgerEntry(for: record, verdict: verdict, now: now) != nil) == expected, "\(record.topic)")
        }
    }

    // MARK: Fixtures

    /// `dr-sha256` of every case's record, and another content's.
    static let sameContent = String(repeating: "ab", count: 32)
    static let otherContent = String(repeating: "cd", count: 32)
    static let conflictReason = "dr-id doc-1 from 000.00.00.G22 was accepted at 2026-12-01T08:00:01.000Z "
        + "(docrelay.out.000.00.00.G22/2/7) with sha256 \(String(repeating: "cd", count: 16))…; "
        + "this record's is \(sameContent): a sender's id names one content"

    /// The ledger's entry of an earlier record of doc-1 from G22, accepted a second after `created`.
    static func firstEntry(sha256: String) -> AcceptanceEntry {
        AcceptanceEntry(
            from: "000.00.00.G22", id: "doc-1", sha256: sha256, at: "2026-12-01T08:00:01.000Z", hub: "national",
            topic: "docrelay.out.000.00.00.G22", partition: 2, offset: 7)
    }

    static let ministry = "000.00.00.G17"
    static let tienGiang = "000.00.00.H58"
    static let noiVuTayNinh = "000.00.32.H53"
    /// `dr-created` of every record here; `now` is two seconds later unless a case says otherwise.
    static let created = RFC3339.parse("2026-12-01T08:00:00Z") ?? Date(timeIntervalSince1970: 0)

    static let directory: Directory? = try? Directory.parse("""
        hubs:
          - { id: national, kafka: { bootstrap: "n:9092" } }
          - { id: h58, parent: national, kafka: { bootstrap: "a:9092" } }
          - { id: h53, parent: national, kafka: { bootstrap: "b:9092" } }
        agencies:
          - { code: 000.00.00.G22, name: Văn phòng Chính phủ, hub: national }
          - { code: 000.00.00.G17, name: Bộ chủ quản, hub: national }
          - { code: 000.00.00.H58, name: UBND tỉnh Tiền Giang, hub: h58 }
          - { code: 000.00.32.H53, name: Sở Nội vụ Tây Ninh, hub: h53 }
        """, path: "directory.yaml")

    static func policy() -> RelayPolicy {
        RelayPolicy(
            hubID: "national", instance: "relay-1", topics: TopicNames(), tiers: RetryTier.defaults, maxAge: .seconds(86_400),
            limits: EnvelopeLimits(), maxHops: 16)
    }

    /// The headers of a record read from a retry tier: where it was first read, its attempt,
    /// when due, what is pending and the failure before.
    static func retryHeaders(attempt: Int, pendingTo: String) -> [(String, String)] {
        [
            (HeaderName.hop, "h58/relay-1/2026-12-01T07:59:59.000Z"),
            (HeaderName.originTopic, "docrelay.out.000.00.00.G22"), (HeaderName.originPartition, "0"),
            (HeaderName.originOffset, "7"), (HeaderName.attempt, String(attempt)),
            (HeaderName.notBefore, "2026-12-01T08:00:01.000Z"), (HeaderName.pendingTo, pendingTo),
            (HeaderName.error, "earlier failure"),
        ]
    }

    /// An ack record (not signed: the policy does not look at the signature) to `sender`'s inbox.
    static func ackRecord(to sender: String) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: "docrelay.in.\(sender)", key: Array("doc-1".utf8), value: Array("{}".utf8),
            headers: [KafkaHeader(name: HeaderName.id, string: "ack-1"), KafkaHeader(name: HeaderName.from, string: "hub:national")])
    }

    /// A write as the table names it: its topic, and for an event its kind.
    static func described(_ write: KafkaProducerRecord) -> String {
        guard write.topic == "docrelay.events" else { return write.topic }
        return "\(write.topic) \(RelayEvent.decode(write.value)?.event.rawValue ?? "?")"
    }

    static func described(_ decision: RelayDecision) -> String {
        switch decision {
        case .delivered(let recipient, _): "delivered \(recipient)"
        case .forwarded(let hub): "forwarded \(hub)"
        case .retried(let tier, _, _): "retried \(tier)"
        case .deadLettered(let errorClass, _, _, _): "dead-lettered \(errorClass)"
        case .refused(let errorClass, _, _, let topic, _): "refused \(errorClass) \(topic)"
        case .duplicate(let id, _, _, let first, _): "duplicate \(id) \(first)"
        case .acked: "acked"
        case .ackRetried(let tier): "ack retried \(tier)"
        }
    }
}

/// One row of the table: a record read by hub `hub`, its verdict, what its writes did, and
/// what the policy is expected to decide.
struct PolicyCase: Sendable, CustomTestStringConvertible {
    let name: String
    var hub = "national"
    var maxHops = 16
    // The record: signed headers (dr-id doc-1, created 2026-12-01T08:00:00Z), read from
    // `topic` (default the sender's out topic), partition 3, offset 41, with relay headers.
    var from = "000.00.00.G22"
    var to: [String]
    var kind: DocumentKind = .edoc
    var topic: String?
    var relay: [(String, String)] = []
    /// The acceptance ledger the executor looks the record up in (nil: not looked up).
    var ledger: LedgerState?
    /// A rejection instead of a verified document (`authentic`: the sender was authenticated).
    var rejection: (ErrorClass, String, authentic: Bool)?
    /// Seconds from `dr-created` to `now`.
    var age: TimeInterval = 2
    // What the writes did: these recipients' inbox writes and these next hubs' forwards fail.
    var failing: Set<String> = []
    /// Recipients made unroutable (no directory of the relay's can make one).
    var unroutable: [String] = []
    // Expected: "refuse", or the writes to attempt ("inbox <topic>", "hub <id> <pending-to>").
    var plan = ""
    /// Headers on every attempted write ("-": absent); the last occurrence counts.
    var attempted: [String: String] = [:]
    /// `dr-pending-to` of each forward.
    var forwardPendingTo: [String] = []
    /// The records written: topic, and for an event its kind.
    var writes: [String] = []
    /// Headers on every written record that is not an event (retry records, dead letters).
    var headers: [String: String] = [:]
    /// Positive then negative acks: "<outcome> <recipient>[ <reason>]".
    var acks: [String] = []
    var decisions: [String] = []

    init(
        _ name: String, hub: String = "national", maxHops: Int = 16, from: String = "000.00.00.G22", to: [String],
        kind: DocumentKind = .edoc, topic: String? = nil, relay: [(String, String)] = [], ledger: LedgerState? = nil,
        rejection: (ErrorClass, String, authentic: Bool)? = nil, age: TimeInterval = 2, failing: Set<String> = [],
        unroutable: [String] = [], plan: String = "", attempted: [String: String] = [:], forwardPendingTo: [String] = [],
        writes: [String] = [], headers: [String: String] = [:], acks: [String] = [], decisions: [String] = []
    ) {
        self.name = name
        self.hub = hub
        self.maxHops = maxHops
        self.from = from
        self.to = to
        self.kind = kind
        self.topic = topic
        self.relay = relay
        self.ledger = ledger
        self.rejection = rejection
        self.age = age
        self.failing = failing
        self.unroutable = unroutable
        self.plan = plan
        self.attempted = attempted
        self.forwardPendingTo = forwardPendingTo
        self.writes = writes
        self.headers = headers
        self.acks = acks
        self.decisions = decisions
    }

    var testDescription: String { name }

    func record() throws -> KafkaRecord {
        let signed = SignedHeaders(
            id: "doc-1", kind: kind, from: from, to: to, createdAt: RelayPolicyTests.created, contentType: "text/plain",
            ref: kind == .edoc ? "" : "doc-0", sha256: String(repeating: "ab", count: 32), signature: "AAAA")
        let headers = signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) }
            + relay.map { KafkaHeader(name: $0.0, string: $0.1) }
        return KafkaRecord(
            topic: topic ?? "docrelay.out.\(from)", partition: 3, offset: 41, key: Array("doc-1".utf8),
            value: Array("Công văn số 12/UBND-VP".utf8), headers: headers)
    }

    /// The verdict: `rejection`, or the record's headers as verified (the signature is not the
    /// policy's business), the sender as the directory knows it.
    func verdict(for record: KafkaRecord, in directory: Directory) throws -> Result<VerifiedDocument, Rejection> {
        let envelope = try Envelope.decode(
            headers: record.headers.map { (name: $0.name, value: $0.value) }, valueLength: record.value.count)
        if let rejection {
            let sender = try rejection.authentic ? AgencyCode(parsing: from) : nil
            return .failure(Rejection(rejection.0, rejection.1, authenticSender: sender, signed: envelope.signed))
        }
        return .success(VerifiedDocument(
            envelope: envelope, signer: VerifiedSigner(certificate: VerificationFixture.shared.g22.certificate),
            sender: directory.agency(named: from), recipients: to.compactMap { directory.agency(named: $0) }, edXML: nil,
            acceptance: .firstHere(at: Date()), ignoredAcceptance: nil))
    }

    /// Every inbox write lands at offset 100 of partition 0 unless its recipient is `failing`
    /// (a message timeout); every forward lands unless its hub is `failing` (unreachable).
    func outcomes(of delivery: RelayDelivery) -> DeliveryOutcomes {
        var outcomes = DeliveryOutcomes()
        for inbox in delivery.inboxes {
            outcomes.inboxes[inbox.recipient] = failing.contains(inbox.recipient)
                ? .failure(KafkaError(code: .messageTimedOut, message: "Local: Message timed out", isRetriable: true))
                : .success(KafkaDeliveryReport(topic: inbox.record.topic, partition: 0, offset: 100))
        }
        for forward in delivery.forwards {
            let fails = forward.recipients.contains { failing.contains($0) }
            outcomes.forwards.append(ForwardOutcome(
                hub: forward.hub, recipients: forward.recipients,
                result: fails
                    ? .failure(ForwardFailure(hub: forward.hub, reason: "hub \(forward.hub) is unreachable"))
                    : .success(KafkaDeliveryReport(topic: "docrelay.hub.\(forward.hub)", partition: 1, offset: 5))))
        }
        return outcomes
    }
}

/// What the acceptance ledger holds before a case's record is read.
enum LedgerState: Sendable {
    /// Nothing.
    case empty
    /// doc-1 from G22 accepted a second after it was created, with this `dr-sha256`.
    case holds(sha256: String)
    /// The case's record itself (its partition and offset) accepted a second after it was created.
    case holdsThisRecord
}

extension [KafkaHeader] {
    /// The value of the last header named `name` (the last `dr-hop` is this hub's).
    func last(named name: String) -> String? {
        last { $0.name == name }.flatMap { $0.value }.map { String(decoding: $0, as: UTF8.self) }
    }
}
