import DocRelayDocuments
import DocRelayCore
import DocRelayKafka
import Foundation

extension RelayPolicy {
    /// The relay's headers that are bookkeeping of one hub's attempt, removed before a record
    /// is delivered or forwarded.
    static let bookkeepingHeaders: Set<String> = [
        HeaderName.attempt, HeaderName.notBefore, HeaderName.pendingTo, HeaderName.error, HeaderName.errorClass,
        HeaderName.replayed, HeaderName.originTopic, HeaderName.originPartition, HeaderName.originOffset,
    ]

    /// What to do with `record`, given its verification `verdict` (made with `directory`) and
    /// that same `directory` snapshot, at `now`:
    ///
    /// - a rejection: refused, with negative acks when the sender is authentic;
    /// - read on `out.<A>` with a `dr-from` other than A: refused `sender` (no ack);
    /// - `dr-hop` naming this hub, or `maxHops` hops or more: refused `malformed` (`loop: ...`),
    ///   with negative acks to an authentic agency sender;
    /// - `dr-pending-to` naming none of `dr-to`: refused `malformed` (no ack);
    /// - its identity seen in the acceptance ledger (`ledger`, only for an `out` topic's
    ///   record): with the same `dr-sha256` a replay, skipped with a `duplicate` event (no
    ///   delivery, no ack); with another, refused `duplicate` with negative acks; the very record
    ///   of the first acceptance read again (same partition and offset: the relay stopped before
    ///   committing it) is handled again as before, at least once;
    /// - else delivered to the recipients homed here and forwarded toward the others (only
    ///   those of `dr-pending-to` when the record names them), with an `accepted` event on a
    ///   first attempt that is not a replay.
    func admit(
        _ record: KafkaRecord, verdict: Result<VerifiedDocument, Rejection>, directory: Directory,
        ledger: LedgerCheck = .unchecked, now: Date
    ) -> RelayPlan {
        let document: VerifiedDocument
        switch verdict {
        case .failure(let rejection):
            return .refuse(refusal(of: record, rejection, signed: rejection.signed, now: now))
        case .success(let verified):
            document = verified
        }
        let signed = document.envelope.signed
        let relay = document.envelope.relay
        if let code = topics.agencyCode(ofOutTopic: record.topic), code != signed.from {
            let rejection = Rejection(.sender, "published on \(record.topic), but dr-from is \(signed.from)")
            return .refuse(refusal(of: record, rejection, signed: signed, now: now))
        }
        if let loop = loopReason(relay.hops) {
            let authentic = signed.hubSender == nil ? document.sender?.code : nil
            let rejection = Rejection(.malformed, loop, authenticSender: authentic)
            return .refuse(refusal(of: record, rejection, signed: signed, now: now))
        }
        var recipients = signed.to
        if let pending = relay.pendingTo {
            recipients = signed.to.filter(pending.contains)
            guard !recipients.isEmpty else {
                let rejection = Rejection(.malformed, "dr-pending-to names none of dr-to")
                return .refuse(refusal(of: record, rejection, signed: signed, now: now))
            }
        }
        if case .seen(let first) = ledger, first.partition != record.partition || first.offset != record.offset {
            let location = "\(record.topic)/\(first.partition)/\(first.offset)"
            let firstAt = Self.timestamp(first.at)
            guard first.isContent(signed.sha256) else {
                let rejection = Rejection(
                    .duplicate,
                    "dr-id \(signed.id) from \(signed.from) was accepted at \(firstAt) (\(location)) with sha256 \(first.sha256Prefix)…; this record's is \(signed.sha256): a sender's id names one content",
                    authenticSender: document.sender?.code)
                return .refuse(refusal(of: record, rejection, signed: signed, now: now))
            }
            var duplicate = event(.duplicate, for: signed, record: record, now: now)
            duplicate.firstAccepted = firstAt
            duplicate.target = location
            duplicate.reason = "a replay of the record accepted at \(firstAt) (\(location)): not delivered again"
            return .skip(RelaySettlement(
                writes: [encoded(duplicate)],
                decisions: [.duplicate(id: signed.id, from: signed.from, firstAccepted: firstAt, first: location, topic: record.topic)]))
        }
        let attempt = relay.attempt ?? 0
        let accepted = attempt == 0 && relay.replayed == nil
            ? encoded(event(.accepted, for: signed, record: record, now: now)) : nil

        // Each recipient: into its inbox when it lives here, else to the next hub on its way.
        let route = Self.route(recipients, from: hubID, in: directory)
        let headers = record.headers.filter { !Self.bookkeepingHeaders.contains($0.name) } + [hop(at: now)]
        let key = Array(signed.id.utf8)
        var ledgerWrite: KafkaProducerRecord?
        if case .first(let entry) = ledger { ledgerWrite = entry.record(topics: topics) }
        return .deliver(RelayDelivery(
            record: record, signed: signed, attempt: attempt, accepted: accepted, ledger: ledgerWrite,
            inboxes: route.local.map {
                InboxWrite(
                    recipient: $0,
                    record: KafkaProducerRecord(topic: topics.inbox($0), key: key, value: record.value, headers: headers))
            },
            forwards: route.forward.map {
                let pendingTo = KafkaHeader(name: HeaderName.pendingTo, string: $0.codes.joined(separator: ","))
                return ForwardWrite(
                    hub: $0.hub, recipients: $0.codes,
                    record: KafkaProducerRecord(topic: "", key: key, value: record.value, headers: headers + [pendingTo]))
            },
            unroutable: route.unroutable))
    }

    /// The acceptance ledger's entry `record` would get if accepted first, at `now`: for a
    /// record read from an agency's `out` topic that verified, whose `dr-from` is that agency,
    /// and that no other rule of `admit` refuses; nil for any other (hub and retry topics are
    /// not checked: the first hub checked them, and retries are the relay's own).
    func ledgerEntry(for record: KafkaRecord, verdict: Result<VerifiedDocument, Rejection>, now: Date) -> AcceptanceEntry? {
        guard case .success(let document) = verdict, let code = topics.agencyCode(ofOutTopic: record.topic) else { return nil }
        let signed = document.envelope.signed
        let relay = document.envelope.relay
        guard code == signed.from, loopReason(relay.hops) == nil,
              relay.pendingTo.map({ pending in signed.to.contains(where: pending.contains) }) ?? true
        else { return nil }
        return AcceptanceEntry(
            from: signed.from, id: signed.id, sha256: signed.sha256, at: Self.timestamp(now), hub: hubID,
            topic: record.topic, partition: record.partition, offset: record.offset)
    }

    /// `record` carrying `acceptance` in place of any `dr-accepted` and `dr-accepted-signature`
    /// it had (one this hub did not take: `VerifiedDocument.ignoredAcceptance`).
    static func accepted(_ record: KafkaRecord, by acceptance: HubAcceptance) -> KafkaRecord {
        var record = record
        record.headers.removeAll { $0.name == HeaderName.accepted || $0.name == HeaderName.acceptedSignature }
        record.headers += acceptance.headers.map { KafkaHeader(name: $0.name, value: $0.value) }
        return record
    }

    /// Why a record's path is a loop: it passed this hub before, or too many hubs; nil if not.
    func loopReason(_ hops: [String]) -> String? {
        let path = hops.map { String($0.split(separator: "/", maxSplits: 1).first ?? "") }
        if path.contains(hubID) {
            return "loop: it passed hub \(hubID) before (dr-hop: \(path.joined(separator: " → ")))"
        }
        if path.count >= maxHops {
            return "loop: \(path.count) hops, the limit is \(maxHops) (dr-hop: \(path.joined(separator: " → ")))"
        }
        return nil
    }
}
