import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

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
///
/// A document sent in segments (contract, "Large documents") is written segment by segment to a
/// partial file in the state folder (`partial/`), never held in memory; once whole and verified
/// it is handed over as any document. Its segments' records stay unmarked until then, so the
/// group's committed offset stays at or before its first segment: a restart reads it again from
/// there (and the partial files of the earlier run are deleted at start).
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
    /// `receive.segment-timeout`: a document in segments without a next segment this long is given up.
    let segmentTimeout: Duration
    /// Where documents received in segments are assembled: `<state>/partial/`.
    let partialFolder: String
    let segments = Mutex(SegmentTracker())
    /// Record handling and the sweep of stale partial documents take turns.
    let turns = AsyncTurns()

    init(
        setup: AgentSetup, store: AgentStore, inbox: InboxFolder?, webhook: WebhookDeliverer?, statuses: StatusSender?,
        parked: ParkedDocuments, status: AgentStatus, sdkMailbox: Bool = false, segmentTimeout: Duration = .seconds(600),
        logger: Logger
    ) {
        self.sdkMailbox = sdkMailbox
        self.segmentTimeout = segmentTimeout
        self.partialFolder = (parked.root as NSString).appendingPathComponent("partial")
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
        removeLeftoverPartials()
        let sweepEvery = max(.seconds(1), min(segmentTimeout / 5, .seconds(30)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: sweepEvery)
                    guard !Task.isCancelled else { return }
                    do {
                        for record in try await abandonStale(at: .now) { consumer.markProcessed(record) }
                    } catch {
                        // The store or state folder failing: the records stay unmarked, tried at the next sweep.
                        logger.error("Cannot give up a stale document in segments", metadata: [LogKey.error: "\(error)"])
                    }
                }
            }
            defer { group.cancelAll() }
            for try await record in consumer.records.cancelOnGracefulShutdown() {
                status.began()
                let done: [KafkaRecord]
                do {
                    done = try await handle(record)
                } catch {
                    status.ended(progressed: false)
                    throw error
                }
                for record in done { consumer.markProcessed(record) }
                status.ended(progressed: true)
            }
        }
    }

    /// Handles one record; returns the records whose outcome is now durable, to mark processed
    /// (the record itself, none while a document in segments is unfinished, all of its segments
    /// once it is). Throws only for what must stop the agent (its own store or folders failing),
    /// so that the record is not committed.
    func handle(_ record: KafkaRecord) async throws -> [KafkaRecord] {
        try await turns.run { try await handleInTurn(record) }
    }

    private func handleInTurn(_ record: KafkaRecord) async throws -> [KafkaRecord] {
        let headers = record.headers.map { ($0.name, $0.value) }
        let directory = setup.directory.current
        // A document in segments may be as large as the largest hub of the directory allows.
        let limits = EnvelopeLimits(maxDocumentBytes: directory.hubs.map(\.maxDocumentBytes).max() ?? Hub.defaultMaxDocumentBytes)
        let verifier = DocumentVerifier(directory: directory, trust: setup.trust.current, limits: limits)
        let document: VerifiedDocument
        switch verifier.verify(headers: headers, value: record.value, segments: true) {
        case .failure(let rejection):
            if let held = try await refuseInProgress(record, because: "\(rejection)") { return held }
            if let segment = record.headers.string(named: HeaderName.segment), !segment.hasPrefix("0/") {
                // The rest of a document whose first segment was refused (and noted): not noted again.
                logger.warning("Dropped a segment that fails the end-to-end check, of no document in progress", metadata: [
                    LogKey.documentID: "\(record.headers.string(named: HeaderName.id) ?? "")", "segment": "\(segment)",
                    LogKey.error: "\(rejection)",
                ])
                return [record]
            }
            try await refuse(record, because: "\(rejection)")
            return [record]
        case .success(let verified):
            document = verified
        }
        if let segment = document.envelope.relay.segment {
            return try await handleSegment(record, document: document, segment: segment)
        }
        try await handleWhole(record, document: document)
        return [record]
    }

    private func handleWhole(_ record: KafkaRecord, document: VerifiedDocument) async throws {
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
            if try await isRepeat(document, record: record) { return }
            try await deliver(document, record: record, body: .bytes(record.value))
        }
    }

    /// Records an ack `Provenance` accepted (so from a hub, with a readable value).
    private func recordAck(_ signed: SignedHeaders, value: [UInt8]) async throws {
        guard let hub = signed.hubSender, let ack = AckMessage.decode(value) else { return }
        try await store.record(AckRecord(
            ref: ack.ref, recipient: ack.recipient, outcome: ack.outcome.rawValue, reason: ack.reason, hub: hub, at: ack.at,
            receivedAt: RFC3339.format(Date(), fractionalDigits: 3)))
    }

    /// The same sender's id delivered (or parked) before: a repeat when the content is the same
    /// (finish what a crash may have left: status 01), a conflict when it is not (kept aside with
    /// the reason, never dropped). A record refused under this id does not count: it may have
    /// been a forgery of this very document. Another sender's id is another document. True when
    /// the document is not to be delivered.
    func isRepeat(_ document: VerifiedDocument, record: KafkaRecord) async throws -> Bool {
        let signed = document.envelope.signed
        guard let earlier = try await store.incoming(from: signed.from, id: signed.id), earlier.state != .refused else { return false }
        guard earlier.sha256 == signed.sha256 else {
            try await refuse(
                record,
                because: "conflict: \(signed.from) sent \(signed.id) before (received \(earlier.receivedAt), SHA-256 \(earlier.sha256)) "
                    + "with other content (SHA-256 \(signed.sha256)): one sender's id names one document; the first is kept",
                message: "A sender reused an id for other content: kept aside", sha256: signed.sha256)
            return true
        }
        if earlier.state == .delivered, signed.kind == .edoc, !earlier.receivedStatusSent, let statuses {
            try await statuses.sendReceived(for: earlier)
        }
        logger.debug("A repeat: not delivered again", metadata: [LogKey.documentID: "\(signed.id)"])
        return true
    }

    /// What is delivered: a record's value, or the file a document in segments was assembled in.
    enum Body: Sendable {
        case bytes([UInt8])
        case file(path: String, size: Int)
    }

    func deliver(_ document: VerifiedDocument, record: KafkaRecord, body: Body) async throws {
        let signed = document.envelope.signed
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
        // A document assembled in a file goes to the webhook and the SDK's mailbox first, then is
        // moved into the inbox folder.
        if let inbox, case .bytes(let value) = body {
            // Another sender's document under the same id keeps its file: this one's name says its sender.
            let taken = try await store.incoming(id: signed.id).contains { $0.fromCode != signed.from }
            incoming.inboxFile = try inbox.deliver(
                value, id: signed.id, sender: taken ? signed.from : nil, contentType: signed.contentType,
                metadata: metadata.json())
        }
        if let webhook {
            let webhookBody: WebhookDeliverer.Body
            switch body {
            case .bytes(let value): webhookBody = .bytes(value)
            case .file(let path, let size): webhookBody = .file(path: path, size: size)
            }
            // A shutdown stops the retries: the record is not committed, the next run delivers it.
            let outcome = try await cancelWhenGracefulShutdown {
                try await webhook.deliver(body: webhookBody, headers: metadata.httpHeaders, contentType: signed.contentType, id: signed.id)
            }
            switch outcome {
            case .delivered(let attempts):
                incoming.webhookAttempts = attempts
            case .gaveUp(let attempts, let lastError):
                incoming.webhookAttempts = attempts
                incoming.webhookError = lastError
                incoming.state = .webhookFailed
                incoming.reason = "the webhook did not accept it after \(attempts) attempts: \(lastError)"
                switch body {
                case .bytes(let value):
                    incoming.parkedFile = try parked.park(
                        value, id: signed.id, contentType: signed.contentType, metadata: metadata.json(),
                        reason: incoming.reason ?? "", folder: .undelivered)
                case .file(let path, _):
                    incoming.parkedFile = try parked.park(
                        file: path, id: signed.id, contentType: signed.contentType, metadata: metadata.json(),
                        reason: incoming.reason ?? "", folder: .undelivered)
                }
                logger.error("Webhook delivery given up: parked", metadata: [
                    LogKey.documentID: "\(signed.id)", LogKey.error: "\(lastError)", "file": "\(incoming.parkedFile ?? "")",
                ])
            }
        }
        if sdkMailbox {
            // The mailbox keeps the bytes in the store (the SDK's clients fetch them from there):
            // a document assembled in a file is read into memory once for it.
            let value: Data
            switch body {
            case .bytes(let bytes): value = Data(bytes)
            case .file(let path, _): value = try Data(contentsOf: URL(fileURLWithPath: path))
            }
            // Before the record is saved: a crash between the two re-delivers, and the mailbox ignores the repeat.
            try await store.addToMailbox(SDKReceivedRecord(
                sdkId: SDKDocumentID.of(from: signed.from, id: signed.id), fromCode: signed.from, id: signed.id,
                kind: signed.kind.rawValue, toCodes: signed.to.joined(separator: ","), value: value, receivedAt: now,
                updatedAt: now, state: .waiting, statusDescription: nil))
        }
        if case .file(let path, _) = body {
            if let inbox {
                let taken = try await store.incoming(id: signed.id).contains { $0.fromCode != signed.from }
                incoming.inboxFile = try inbox.deliver(
                    file: path, id: signed.id, sender: taken ? signed.from : nil, contentType: signed.contentType,
                    metadata: metadata.json())
            } else {
                unlink(path)
            }
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
    func refuse(
        _ record: KafkaRecord, because reason: String, message: Logger.Message = "Refused a record that fails the end-to-end check",
        sha256: String? = nil
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
            sha256: sha256 ?? SHA256Hex.of(record.value), receivedAt: RFC3339.format(Date(), fractionalDigits: 3), state: .refused,
            inboxFile: nil, webhookAttempts: 0, webhookError: nil, parkedFile: file, reason: reason, receivedStatusSent: false))
        logger.error(message, metadata: [
            LogKey.documentID: "\(id)", LogKey.error: "\(reason)", "file": "\(file)",
        ])
    }
}
