import DocRelayCore

/// Whether a status or an ack, verified end to end, may be recorded against a document this
/// agency sent (docs/agent.md, "Receiving"): the signature says who sent it; this says whether
/// that sender has any say about the document.
///
/// - a status is accepted only about a document this agent sent, from one of its recipients;
/// - an ack only about a document this agent sent, addressed to this agency alone, signed by a
///   hub (`dr-from: hub:<id>`), its value about that same document (`ref` = `dr-ref`) and for
///   one of its recipients.
///
/// Anything else is kept aside (`refused/`) with the reason, never recorded. A document is
/// recorded in the store before it is published (`DocumentOutbox`), so no genuine status or ack
/// can arrive before the store knows the document it is about.
enum Provenance {
    /// What the agent sent, as far as the decision needs it.
    struct SentDocument: Sendable, Hashable {
        var id: String
        var recipients: [String]

        init(id: String, recipients: [String]) {
            self.id = id
            self.recipients = recipients
        }

        init(_ record: OutgoingRecord) {
            self.init(id: record.id, recipients: record.recipientCodes)
        }
    }

    enum Verdict: Sendable, Hashable {
        case accepted
        /// Not recorded: kept aside with this reason (it starts with `provenance:`).
        case keptAside(String)
    }

    /// The decision for a verified record of `signed`'s kind; `value` is its value (an ack's is
    /// an ``AckMessage``), `sent` the document of this agency that `dr-ref` names, when there is
    /// one. Documents (`edoc`) are always accepted here: their `dr-to` is checked before.
    static func check(_ signed: SignedHeaders, value: [UInt8], agency: String, sent: SentDocument?) -> Verdict {
        switch signed.kind {
        case .edoc:
            return .accepted
        case .status:
            guard let sent else {
                return .keptAside("provenance: a status from \(signed.from) about \(quoted(signed.ref)), a document this agency did not send")
            }
            guard sent.recipients.contains(signed.from) else {
                return .keptAside(
                    "provenance: a status from \(signed.from), not a recipient of \(sent.id) (sent to \(sent.recipients.joined(separator: ",")))")
            }
            return .accepted
        case .ack:
            guard let hub = signed.hubSender else {
                return .keptAside("provenance: an ack signed by \(signed.from), not by a hub")
            }
            guard signed.to == [agency] else {
                return .keptAside("provenance: an ack from hub \(hub) addressed to \(signed.to.joined(separator: ",")), not to \(agency)")
            }
            guard let ack = AckMessage.decode(value) else {
                return .keptAside("provenance: an ack from hub \(hub) whose value is not an ack message")
            }
            guard ack.ref == signed.ref else {
                return .keptAside("provenance: an ack from hub \(hub) about \(quoted(ack.ref)) in its value, \(quoted(signed.ref)) in dr-ref")
            }
            guard let sent else {
                return .keptAside("provenance: an ack from hub \(hub) about \(quoted(signed.ref)), a document this agency did not send")
            }
            guard sent.recipients.contains(ack.recipient) else {
                return .keptAside(
                    "provenance: an ack from hub \(hub) for \(ack.recipient), not a recipient of \(sent.id) (sent to \(sent.recipients.joined(separator: ",")))")
            }
            return .accepted
        }
    }

    private static func quoted(_ text: String) -> String { "\"\(text)\"" }
}
