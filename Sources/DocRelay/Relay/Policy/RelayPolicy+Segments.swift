import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation

/// Where a relay has begun to pass a large document's segments (contract, "Large documents"):
/// the abort marker goes to each of them if the document is refused after all.
struct SegmentDestinations: Sendable, Equatable {
    /// Recipients homed here whose inbox got segments.
    var inboxes: Set<String> = []
    /// Next hubs that got segments, with the recipients each serves.
    var hubs: [String: [String]] = [:]
    /// Recipients whose segments go through the retry tiers since one of their writes failed
    /// (the rest of their segments follow, in order, without being attempted here).
    var diverted: Set<String> = []

    var isEmpty: Bool { inboxes.isEmpty && hubs.isEmpty && diverted.isEmpty }
}

extension RelayDelivery {
    /// This delivery without the writes to `diverted` recipients (a forward is left out when
    /// any recipient it serves is diverted: they travel as one record), and those recipients as
    /// failures to settle: they go to the retry tiers after their earlier segments.
    func without(_ diverted: Set<String>) -> (RelayDelivery, [RecipientFailure]) {
        guard !diverted.isEmpty else { return (self, []) }
        let reason = "an earlier segment of this document went to the retry tiers: the rest follow it in order"
        var failures: [RecipientFailure] = []
        let inboxes = self.inboxes.filter { inbox in
            guard diverted.contains(inbox.recipient) else { return true }
            failures.append(RecipientFailure(recipient: inbox.recipient, reason: reason))
            return false
        }
        let forwards = self.forwards.filter { forward in
            guard forward.recipients.contains(where: diverted.contains) else { return true }
            failures += forward.recipients.map { RecipientFailure(recipient: $0, reason: reason) }
            return false
        }
        var delivery = RelayDelivery(
            record: record, signed: signed, attempt: attempt, accepted: accepted, inboxes: inboxes, forwards: forwards,
            unroutable: unroutable)
        delivery.ledger = ledger
        return (delivery, failures)
    }
}

extension RelayPolicy {
    /// The recipients of `delivery`'s writes that failed (`outcomes`), by recipient code.
    static func failedRecipients(_ delivery: RelayDelivery, outcomes: DeliveryOutcomes) -> Set<String> {
        var failed = Set<String>()
        for inbox in delivery.inboxes {
            if case .success? = outcomes.inboxes[inbox.recipient] { continue }
            failed.insert(inbox.recipient)
        }
        for forward in outcomes.forwards {
            if case .failure = forward.result { failed.formUnion(forward.recipients) }
        }
        return failed
    }

    /// Where `delivery`'s writes that succeeded went, added to `destinations`.
    static func record(_ delivery: RelayDelivery, outcomes: DeliveryOutcomes, into destinations: inout SegmentDestinations) {
        for inbox in delivery.inboxes {
            if case .success? = outcomes.inboxes[inbox.recipient] { destinations.inboxes.insert(inbox.recipient) }
        }
        for forward in outcomes.forwards {
            if case .success = forward.result { destinations.hubs[forward.hub] = forward.recipients }
        }
    }

    /// The abort markers of a large document refused (`errorClass`, `reason`) after some of its
    /// segments went to `destinations`: a record per inbox, per next hub (with `dr-pending-to`)
    /// and one into the first retry tier for the diverted recipients (after their segments
    /// there), each with the document's headers as `first` had them, `dr-segment:
    /// abort/<count>`, `dr-error-class`, `dr-error`, this hub's `dr-hop`, and no value. The
    /// forwards' `topic` is empty: the link to the hub names it (`NeighbourLinks`).
    func abortMarkers(
        of first: KafkaRecord, signed: SignedHeaders, segment: DocumentSegment, destinations: SegmentDestinations,
        errorClass: ErrorClass, reason: String, now: Date
    ) -> (inboxes: [KafkaProducerRecord], forwards: [(hub: String, record: KafkaProducerRecord)], retry: KafkaProducerRecord?) {
        let marker = DocumentSegment(abortOf: segment.count, documentSize: segment.documentSize)
        let dropped: Set<String> = Self.bookkeepingHeaders.union([HeaderName.segment, HeaderName.size])
        let headers = first.headers.filter { !dropped.contains($0.name) }
            + marker.headers.map { KafkaHeader(name: $0.name, value: $0.value) }
            + [
                KafkaHeader(name: HeaderName.errorClass, string: errorClass.rawValue),
                KafkaHeader(name: HeaderName.error, string: String(reason.prefix(4096))),
                hop(at: now),
            ]
        let key = Array(signed.id.utf8)
        let inboxes = destinations.inboxes.sorted().map {
            KafkaProducerRecord(topic: topics.inbox($0), key: key, value: [], headers: headers)
        }
        let forwards = destinations.hubs.sorted { $0.key < $1.key }.map { hub, recipients in
            (hub, KafkaProducerRecord(
                topic: "", key: key, value: [],
                headers: headers + [KafkaHeader(name: HeaderName.pendingTo, string: recipients.joined(separator: ","))]))
        }
        var retry: KafkaProducerRecord?
        if !destinations.diverted.isEmpty, let tier = tiers.first {
            let pending = signed.to.filter(destinations.diverted.contains)
            retry = KafkaProducerRecord(
                topic: topics.retry(tier), key: key, value: [],
                headers: headers + [
                    KafkaHeader(name: HeaderName.attempt, string: "1"),
                    KafkaHeader(name: HeaderName.notBefore, string: Self.timestamp(now)),
                    KafkaHeader(name: HeaderName.pendingTo, string: pending.joined(separator: ",")),
                ])
        }
        return (inboxes, forwards, retry)
    }

    /// A large document refused while it passes (`rejection`: a segment missing, altered, the
    /// sender silent for too long, or its first segment refused): its dead letter holds `first`'s
    /// headers and no value (the document is not here whole; it cannot be replayed), with the
    /// dead-lettered event and negative acks as for any refusal.
    func refusal(ofDocument first: KafkaRecord, _ rejection: Rejection, signed: SignedHeaders?, now: Date) -> RelaySettlement {
        var headersOnly = first
        headersOnly.value = []
        return refusal(of: headersOnly, rejection, signed: signed, now: now)
    }
}
