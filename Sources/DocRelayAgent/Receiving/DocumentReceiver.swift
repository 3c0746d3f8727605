import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle

/// Reads the agency's `in` topic and handles each record before its offset may be committed:
///
/// - documents and statuses are verified again end to end (the agency need not trust the hub),
///   dropped when their `dr-id` was delivered before (the store says), delivered into the inbox
///   folder and/or to the webhook, then recorded; a document gets status 01 back to its sender;
/// - acks are verified (signed by a hub of the directory) and recorded for `GET /v1/documents`;
/// - a status or an ack is recorded only when `Provenance` accepts it: a status from a recipient
///   of a document this agency sent, an ack from a hub for one of its recipients;
/// - a record that fails a check is kept in `refused/` with its reason, never delivered.
///
/// Records are handled one after the other, and marked processed only when their outcome is
/// durable, so a crash re-reads at most what was not finished, and the store drops repeats.
final class DocumentReceiver: Sendable {
    let setup: AgentSetup
    let store: AgentStore
    let inbox: InboxFolder?
    let webhook: WebhookDeliverer?
    let statuses: StatusSender?
    let parked: ParkedDocuments
    /// Told when a record is taken and when it is handled, for `/healthz`.
    let status: AgentStatus
    /// Documents and statuses are also kept, with their bytes, for the SDK's clients (`sdk:`).
    let sdkMailbox: Bool
    let logger: Logger

    init(
        setup: AgentSetup, store: AgentStore, inbox: InboxFolder?, webhook: WebhookDeliverer?, statuses: StatusSender?,
        parked: ParkedDocuments, status: AgentStatus, sdkMailbox: Bool = false, logger: Logger
    ) {
        self.sdkMailbox = sdkMailbox
        self.setup = setup
        self.store = store
        self.inbox = inbox
        self.webhook = webhook
        self.statuses = statuses
        self.parked = parked
        self.status = status
        self.logger = logger
    }

    /// Consumes until cancelled, then lets the consumer commit what was handled.
    func run(consumer: KafkaConsumer) async throws {
        try consumer.subscribe(topics: [setup.topics.inbox(setup.code)])
        for try await record in consumer.records.cancelOnGracefulShutdown() {
            status.began()
            do {
                try await handle(record)
            } catch {
                status.ended(progressed: false)
                throw error
            }
            consumer.markProcessed(record)
            status.ended(progressed: true)
        }
    }

    /// Handles one record; throws only for what must stop the agent (its own store or folders
    /// failing), so that the record is not committed.
    func handle(_ record: KafkaRecord) async throws {
        let headers = record.headers.map { ($0.name, $0.value) }
        let verifier = DocumentVerifier(directory: setup.directory.current, trust: setup.trust.current)
        let document: VerifiedDocument
        switch verifier.verify(headers: headers, value: record.value) {
        case .failure(let rejection):
            try await refuse(record, because: "\(rejection)")
            return
        case .success(let verified):
            document = verified
        }
        let signed = document.envelope.signed
        guard signed.to.contains(setup.code) || signed.kind == .ack else {
            try await refuse(record, because: "recipient: addressed to \(signed.to.joined(separator: ",")), not to \(setup.code)")
            return
        }
        // A status or an ack is about a document this agency sent: only its recipients (a
        // status) and a hub (an ack) have a say about it.
        if signed.kind != .edoc {
            let sent = signed.ref.isEmpty ? nil : try await store.outgoing(id: signed.ref).map(Provenance.SentDocument.init)
            if case .keptAside(let reason) = Provenance.check(signed, value: record.value, agency: setup.code, sent: sent) {
                try await refuse(record, because: reason, message: "Kept aside a status or ack about a document: not recorded")
                return
            }
        }
        switch signed.kind {
        case .ack:
            try await recordAck(signed, value: record.value)
        case .edoc, .status:
            try await deliver(document, record: record)
        }
    }

    /// Records an ack `Provenance` accepted (so from a hub, with a readable value).
    private func recordAck(_ signed: SignedHeaders, value: [UInt8]) async throws {
        guard let hub = signed.hubSender, let ack = AckMessage.decode(value) else { return }
        try await store.record(AckRecord(
            ref: ack.ref, recipient: ack.recipient, outcome: ack.outcome.rawValue, reason: ack.reason, hub: hub, at: ack.at,
            receivedAt: RFC3339.format(Date(), fractionalDigits: 3)))
    }

    private func deliver(_ document: VerifiedDocument, record: KafkaRecord) async throws {
        let signed = document.envelope.signed
        // The same sender's id delivered (or parked) before: a repeat when the content is the
        // same (finish what a crash may have left), a conflict when it is not (kept aside with
        // the reason, never dropped). A record refused under this id does not count: it may have
        // been a forgery of this very document. Another sender's id is another document.
        if let earlier = try await store.incoming(from: signed.from, id: signed.id), earlier.state != .refused {
            guard earlier.sha256 == signed.sha256 else {
                try await refuse(
                    record,
                    because: "conflict: \(signed.from) sent \(signed.id) before (received \(earlier.receivedAt), SHA-256 \(earlier.sha256)) "
                        + "with other content (SHA-256 \(signed.sha256)): one sender's id names one document; the first is kept",
                    message: "A sender reused an id for other content: kept aside")
                return
            }
            if earlier.state == .delivered, signed.kind == .edoc, !earlier.receivedStatusSent, let statuses {
                try await statuses.sendReceived(for: earlier)
            }
            logger.debug("A repeat: not delivered again", metadata: [LogKey.documentID: "\(signed.id)"])
            return
        }
        let now = RFC3339.format(Date(), fractionalDigits: 3)
        var incoming = IncomingRecord(
            id: signed.id, kind: signed.kind.rawValue, fromCode: signed.from, ref: signed.ref, contentType: signed.contentType,
            sha256: signed.sha256, receivedAt: now, state: .delivered, inboxFile: nil, webhookAttempts: 0, webhookError: nil,
            parkedFile: nil, reason: nil, receivedStatusSent: false, businessId: document.edXML?.documentId,
            messageType: signed.kind == .edoc ? document.edXML?.messageType?.rawValue : nil)
        var described = ReceivedMetadata(document: document, record: record, receivedAt: now)
        if let businessId = incoming.businessId {
            described.related = try await store.incoming(from: signed.from, businessId: businessId)
                .filter { $0.id != signed.id && $0.kind == DocumentKind.edoc.rawValue }
                .map { ReceivedMetadata.Related(id: $0.id, messageType: $0.messageType, receivedAt: $0.receivedAt, file: $0.inboxFile) }
        }
        let metadata = described
        if let inbox {
            // Another sender's document under the same id keeps its file: this one's name says its sender.
            let taken = try await store.incoming(id: signed.id).contains { $0.fromCode != signed.from }
            incoming.inboxFile = try inbox.deliver(
                record.value, id: signed.id, sender: taken ? signed.from : nil, contentType: signed.contentType,
                metadata: metadata.json())
        }
        if let webhook {
            // A shutdown stops the retries: the record is not committed, the next run delivers it.
            let outcome = try await cancelWhenGracefulShutdown {
                try await webhook.deliver(record.value, headers: metadata.httpHeaders, contentType: signed.contentType, id: signed.id)
            }
            switch outcome {
            case .delivered(let attempts):
                incoming.webhookAttempts = attempts
            case .gaveUp(let attempts, let lastError):
                incoming.webhookAttempts = attempts
                incoming.webhookError = lastError
                incoming.state = .webhookFailed
                incoming.reason = "the webhook did not accept it after \(attempts) attempts: \(lastError)"
                incoming.parkedFile = try parked.park(
                    record.value, id: signed.id, contentType: signed.contentType, metadata: metadata.json(),
                    reason: incoming.reason ?? "", folder: .undelivered)
                logger.error("Webhook delivery given up: parked", metadata: [
                    LogKey.documentID: "\(signed.id)", LogKey.error: "\(lastError)", "file": "\(incoming.parkedFile ?? "")",
                ])
            }
        }
        if sdkMailbox {
            // Before the record is saved: a crash between the two re-delivers, and the mailbox ignores the repeat.
            try await store.addToMailbox(SDKReceivedRecord(
                sdkId: SDKDocumentID.of(from: signed.from, id: signed.id), fromCode: signed.from, id: signed.id,
                kind: signed.kind.rawValue, toCodes: signed.to.joined(separator: ","), value: Data(record.value), receivedAt: now,
                updatedAt: now, state: .waiting, statusDescription: nil))
        }
        try await store.save(incoming)
        if signed.kind == .status, let edXML = document.edXML, let code = edXML.statusCode {
            try await store.record(StatusRecord(
                id: signed.id, ref: signed.ref, direction: .received, fromCode: signed.from, toCode: setup.code,
                code: code.rawValue, statusDescription: edXML.statusDescription, at: signed.created))
        }
        logger.info("Received", metadata: [
            LogKey.documentID: "\(signed.id)", LogKey.agency: "\(signed.from)", "kind": "\(signed.kind.rawValue)",
        ])
        if signed.kind == .edoc, incoming.state == .delivered, let statuses {
            try await statuses.sendReceived(for: incoming)
        }
    }

    /// Keeps a record that failed the end-to-end check in `refused/`, with the reason.
    private func refuse(
        _ record: KafkaRecord, because reason: String, message: Logger.Message = "Refused a record that fails the end-to-end check"
    ) async throws {
        let id = record.headers.string(named: HeaderName.id).flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(record.topic)-\(record.partition)-\(record.offset)"
        let from = record.headers.string(named: HeaderName.from) ?? ""
        if let earlier = try await store.incoming(from: from, id: id), earlier.state != .refused {
            // The genuine document came first: this is a bad copy, kept apart without touching it.
            _ = try parked.park(
                record.value, id: "\(id)-\(record.topic)-\(record.partition)-\(record.offset)",
                contentType: earlier.contentType, metadata: [], reason: reason, folder: .refused)
            logger.error(message, metadata: [LogKey.documentID: "\(id)", LogKey.error: "\(reason)"])
            return
        }
        let headerLines = record.headers.map { "\($0.name): \($0.stringValue ?? "<binary>")" }
        let file = try parked.park(
            record.value, id: id, contentType: record.headers.string(named: HeaderName.contentType) ?? "application/octet-stream",
            metadata: Array(headerLines.joined(separator: "\n").utf8), reason: reason, folder: .refused)
        try await store.save(IncomingRecord(
            id: id, kind: record.headers.string(named: HeaderName.kind) ?? "", fromCode: record.headers.string(named: HeaderName.from) ?? "",
            ref: record.headers.string(named: HeaderName.ref) ?? "", contentType: record.headers.string(named: HeaderName.contentType) ?? "",
            sha256: SHA256Hex.of(record.value), receivedAt: RFC3339.format(Date(), fractionalDigits: 3), state: .refused,
            inboxFile: nil, webhookAttempts: 0, webhookError: nil, parkedFile: file, reason: reason, receivedStatusSent: false))
        logger.error(message, metadata: [
            LogKey.documentID: "\(id)", LogKey.error: "\(reason)", "file": "\(file)",
        ])
    }
}
