import DocRelayCore
import Foundation

/// What the SDK's receiving loop may do to an item of its list (vxp-sdk-protocol.md, "The
/// receiving loop"): `updateStatus` is the transport acknowledgement of one delivery, not a
/// business status (those are status packets sent with `sendEdoc`).
enum SDKMailboxRules {
    /// The state `updateStatus status=<requested>` leads to from `current`:
    /// - `done`: gone from the list for good (kept in the store); `done` again answers `OK`
    ///   (the client resends on I/O errors);
    /// - `fail`: stays listed, shown as `fail` with its description (the client could not store
    ///   it: it will try again, and the agency sees it did);
    /// - `processing`: stays listed, shown as `processing`;
    /// - anything after `done` but `done` is refused: the item is no longer listed.
    static func update(_ current: SDKReceivedRecord.State, to requested: String) -> Result<SDKReceivedRecord.State, SDKFailure> {
        let wanted: SDKReceivedRecord.State
        switch requested.lowercased() {
        case "done": wanted = .done
        case "fail": wanted = .fail
        case "processing": wanted = .processing
        default: return .failure(SDKFailure("status \(requested) is not done, fail or processing"))
        }
        if current == .done, wanted != .done {
            return .failure(SDKFailure("the document was marked done before: it is no longer listed"))
        }
        return .success(wanted)
    }

    /// The message type a list or count asks for: `edoc` (also when absent) or `status`.
    static func messageType(_ request: SDKRequest) -> Result<DocumentKind, SDKFailure> {
        switch request.parameter("messagetype")?.lowercased() {
        case nil, "edoc": .success(.edoc)
        case "status": .success(.status)
        case let other?: .failure(SDKFailure("messagetype \(other) is not edoc or status"))
        }
    }

    /// The `docId` a get, download or update names (`docId` or `docid`): 24 hex digits.
    static func documentID(_ request: SDKRequest) -> Result<String, SDKFailure> {
        guard let id = request.parameter("docId") else { return .failure(SDKFailure("missing parameter docId")) }
        guard id.utf8.count == 24, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return .failure(SDKFailure("docId \(id) is not an id this agent gave (24 hex digits)"))
        }
        return .success(id)
    }

    /// An item of `getReceivedEdocList`: `status` is the item's state (`waiting`, `processing`,
    /// `fail`), `status_desc` the description given with it.
    static func listItem(_ record: SDKReceivedRecord) -> SDKAnswers.ReceivedItem {
        SDKAnswers.ReceivedItem(
            docId: record.sdkId, serviceType: "eDoc", messageType: record.kind, created_time: record.receivedAt,
            updated_time: record.updatedAt, from: record.fromCode, to: record.toCodes, status: record.state.rawValue,
            status_desc: record.statusDescription ?? "")
    }

    /// The items of `getSentEdocList` for one document: one per recipient, `receiveStatus` its
    /// latest business status code (`01`–`16`) or else its transport state (`delivered`,
    /// `failed`, `pending`); `sendStatus` whether the broker took it (`published`, `queued`).
    /// `statuses` come in time order (`dr-created`, to the second); a `01` never outranks another
    /// code: the agent sends it on delivery, before any status a person sets, but a restart can
    /// sign it again in the same second as a later one.
    static func sentItems(
        _ sent: SDKSentRecord, outgoing: OutgoingRecord?, agency: String, acks: [(recipient: String, outcome: String, reason: String?, at: String)],
        statuses: [(from: String, code: String, description: String?, at: String)]
    ) -> [SDKAnswers.SentItem] {
        let recipients = outgoing?.recipientCodes ?? []
        return recipients.map { recipient in
            let status = statuses.last { $0.from == recipient && $0.code != EdXMLStatusCode.received.rawValue }
                ?? statuses.last { $0.from == recipient }
            let ack = acks.last { $0.recipient == recipient }
            let receiveStatus = status?.code ?? ack?.outcome ?? "pending"
            let receiveDescription = status.map { EdXMLStatusCode(rawValue: $0.code)?.name ?? $0.code }
                .map { name in [name, status?.description].compactMap { $0 }.joined(separator: ": ") }
                ?? ack?.reason ?? ""
            return SDKAnswers.SentItem(
                serviceType: "eDoc", receiverDocId: sent.sdkId, toCode: recipient, receiveStatus: receiveStatus,
                receiveStatusDesc: receiveDescription, title: sent.title, messageType: sent.messageType, notation: sent.notation,
                receivedTime: status?.at ?? ack?.at ?? "", sentTime: outgoing?.publishedAt ?? sent.createdAt,
                sendStatus: outgoing?.state.rawValue ?? "unknown", sendStatusDesc: outgoing?.lastError ?? "",
                senderDocId: sent.sdkId, fromCode: agency)
        }
    }
}
