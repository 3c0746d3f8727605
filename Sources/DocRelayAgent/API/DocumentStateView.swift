import DocRelayCore
import Foundation

/// `GET /v1/documents/<id>`: what the agent knows of one document, sent or received, as JSON
/// (schema `DocumentState` in docs/agent-api.yaml) with a one-line `summary` for people.
struct DocumentStateView: Codable, Sendable {
    struct Recipient: Codable, Sendable {
        var code: String
        /// `pending` (no ack yet), `delivered` or `failed`.
        var transport: String
        var reason: String?
        var hub: String?
        var at: String?
        var statuses: [Status]
    }

    struct Status: Codable, Sendable {
        var id: String
        var code: String
        var name: String
        var description: String?
        var from: String
        var to: String
        var at: String
    }

    struct Webhook: Codable, Sendable {
        var attempts: Int
        var lastError: String?
    }

    var id: String
    /// `sent` or `received`.
    var direction: String
    var kind: String
    /// Sent: `queued`, `published`, `withdrawn`. Received: `delivered`, `refused`, `webhook-failed`.
    var state: String
    var summary: String
    // Sent.
    var to: [String]?
    var createdAt: String?
    var publishedAt: String?
    var lastError: String?
    var recipients: [Recipient]?
    // Received.
    var from: String?
    var receivedAt: String?
    var inboxFile: String?
    var webhook: Webhook?
    var parkedFile: String?
    var reason: String?
    var statusesSent: [Status]?
    /// Received edXML: its `MessageHeader/DocumentId` (shared by an original and its updates,
    /// replacements and revocation) and what the message is to it.
    var businessId: String?
    var messageType: String?

    static func sent(_ record: OutgoingRecord, acks: [AckRecord], statuses: [StatusRecord]) -> DocumentStateView {
        let recipients = record.recipientCodes.map { code -> Recipient in
            // A failure after a delivery cannot happen for one recipient; the latest ack wins.
            let ack = acks.filter { $0.recipient == code }.max { $0.at < $1.at }
            return Recipient(
                code: code, transport: ack?.outcome ?? "pending", reason: ack?.reason, hub: ack?.hub, at: ack?.at,
                statuses: statuses.filter { $0.fromCode == code && $0.direction == .received }.map(Status.init))
        }
        var parts: [String]
        switch record.state {
        case .published: parts = ["published"]
        case .queued: parts = ["queued (not yet acknowledged by the broker)"]
        case .withdrawn: parts = ["withdrawn: its file left outbox/ before the broker acknowledged it"]
        }
        for recipient in recipients {
            switch recipient.transport {
            case "delivered": parts.append("delivered to \(recipient.code)")
            case "failed": parts.append("failed at \(recipient.code): \(recipient.reason ?? "no reason given")")
            default: if record.state == .published { parts.append("waiting for \(recipient.code)") }
            }
            for status in recipient.statuses {
                parts.append("status \(status.code) (\(status.name)) from \(status.from)")
            }
        }
        return DocumentStateView(
            id: record.id, direction: "sent", kind: record.kind, state: record.state.rawValue,
            summary: parts.joined(separator: "; "), to: record.recipientCodes, createdAt: record.createdAt,
            publishedAt: record.publishedAt, lastError: record.state == .queued ? record.lastError : nil, recipients: recipients)
    }

    static func received(_ record: IncomingRecord, statuses: [StatusRecord]) -> DocumentStateView {
        let sent = statuses.filter { $0.direction == .sent }.map(Status.init)
        var parts: [String]
        switch record.state {
        case .delivered:
            parts = ["received from \(record.fromCode)"]
            if let file = record.inboxFile { parts.append("in \(file)") }
            if record.webhookAttempts > 0 { parts.append("accepted by the webhook after \(record.webhookAttempts) attempt(s)") }
        case .refused:
            parts = ["refused: \(record.reason ?? "")"]
        case .webhookFailed:
            parts = ["not delivered: \(record.reason ?? "")", "kept in \(record.parkedFile ?? "")"]
        }
        if let type = record.messageType, type != EdXMLMessageType.new.rawValue {
            parts.insert("\(type) of \(record.businessId ?? "")", at: 0)
        }
        parts += sent.map { "status \($0.code) (\($0.name)) sent" }
        return DocumentStateView(
            id: record.id, direction: "received", kind: record.kind, state: record.state.rawValue,
            summary: parts.joined(separator: "; "), from: record.fromCode, receivedAt: record.receivedAt,
            inboxFile: record.inboxFile,
            webhook: record.webhookAttempts > 0 || record.webhookError != nil
                ? Webhook(attempts: record.webhookAttempts, lastError: record.webhookError) : nil,
            parkedFile: record.parkedFile, reason: record.reason, statusesSent: sent, businessId: record.businessId,
            messageType: record.messageType)
    }
}

extension DocumentStateView.Status {
    init(_ record: StatusRecord) {
        self.init(
            id: record.id, code: record.code, name: EdXMLStatusCode(rawValue: record.code)?.name ?? "status \(record.code)",
            description: record.statusDescription, from: record.fromCode, to: record.toCode, at: record.at)
    }
}
