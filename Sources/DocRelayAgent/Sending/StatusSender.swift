import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Logging

/// Sends business statuses (edXML status documents, `dr-kind: status`) about documents this
/// agency received, to their sender: status 01 (received) by itself on delivery, and what the
/// agency's software posts (02–06, 13, 15, 16).
struct StatusSender: Sendable {
    let outbox: DocumentOutbox
    let store: AgentStore
    let agency: Agency
    let logger: Logger

    /// Status 01 for a delivered document, once: its id is derived from the document's, so a
    /// restart that sends it again sends the same record.
    func sendReceived(for document: IncomingRecord) async throws {
        // The sender is part of the document's identity: two agencies may use one id.
        let id = "st01-" + SHA256Hex.of(Array("\(document.fromCode)|\(document.id)|\(agency.code.rawValue)".utf8)).prefix(32)
        let record: OutgoingRecord
        do {
            record = try await send(.received, description: "Đã nhận văn bản", about: document, id: String(id), once: true)
        } catch is KafkaError {
            return  // Recorded, queued: published by the outbox's next pass over leftovers.
        } catch {
            // The agency's own signing failed (an expired certificate, a directory reload): the
            // document is delivered all the same; the status is the one thing missing, and said.
            logger.error("Status 01 not sent", metadata: [LogKey.documentID: "\(document.id)", LogKey.error: "\(error)"])
            return
        }
        if record.state == .published {
            try await store.markReceivedStatusSent(from: document.fromCode, id: document.id)
        }
    }

    /// A status about `document` from this agency to its sender: recorded, then published (a
    /// broker failure leaves it queued: it is published by the next run).
    @discardableResult
    func send(
        _ code: EdXMLStatusCode, description: String?, about document: IncomingRecord, id: String? = nil, once: Bool = false,
        staff: EdXMLStaff? = nil
    ) async throws -> OutgoingRecord {
        let value: [UInt8]
        do {
            value = try EdXMLStatusWriter.status(
                from: EdXMLOrganization(organId: agency.code.rawValue, organName: agency.name),
                responseFor: EdXMLResponseFor(organId: document.fromCode, documentId: document.businessId ?? document.id),
                code: code, description: description, staff: staff, timestamp: Date())
        } catch {
            throw SubmissionError("malformed", field: "code", "\(error)")
        }
        let submission = DocumentSubmission(
            value: value,
            metadata: .unsigned(id: id, kind: .status, to: [document.fromCode], ref: document.id, contentType: "application/edxml+xml"))
        var record = once
            ? try await outbox.takeOnce(submission, source: .status)
            : try await outbox.take(submission, source: .status)
        try await store.record(StatusRecord(
            id: record.id, ref: document.id, direction: .sent, fromCode: agency.code.rawValue, toCode: document.fromCode,
            code: code.rawValue, statusDescription: description, at: record.createdAt))
        if record.state == .queued, let stored = record.value {
            record = try await outbox.publish(record, value: Array(stored))
        }
        return record
    }
}
