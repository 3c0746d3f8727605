import Foundation

/// One more webhook attempt for a document parked in `undelivered/` (operators ask for it with
/// `POST /v1/documents/{id}/redeliver`): accepted, it is recorded delivered, its parked copy
/// removed and status 01 sent; refused, it stays parked with the new reason.
struct Redelivery: Sendable {
    let webhook: WebhookDeliverer
    let store: AgentStore
    let statuses: StatusSender?

    func redeliver(_ document: IncomingRecord) async throws -> IncomingRecord {
        var updated = document
        guard let path = document.parkedFile,
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
              let metadataBytes = FileManager.default.contents(atPath: path + ".meta"),
              let metadata = try? JSONDecoder().decode(ReceivedMetadata.self, from: metadataBytes)
        else {
            updated.webhookError = "the parked copy \(document.parkedFile ?? "") cannot be read"
            return updated
        }
        updated.webhookAttempts += 1
        // Streamed from the parked file: a document received in segments may be up to max-document-bytes.
        if let error = await webhook.attemptOnce(
            body: .file(path: path, size: size.intValue), headers: metadata.httpHeaders, contentType: document.contentType) {
            updated.webhookError = error
            try await store.save(updated)
            return updated
        }
        updated.state = .delivered
        updated.webhookError = nil
        updated.reason = nil
        updated.parkedFile = nil
        try await store.save(updated)
        for suffix in ["", ".meta", ".reason.txt"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        if updated.kind == "edoc", let statuses { try await statuses.sendReceived(for: updated) }
        return updated
    }
}
