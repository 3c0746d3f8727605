import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The national hub SDK's HTTP API on the agent's port (issue 14; vxp-sdk-protocol.md;
/// docs/sdk-compatibility.md): `<base>/<operation>`, each request signed with its system's
/// secret (``SDKRequest``). Every answer is HTTP 200 with plain ASCII JSON carrying `status`,
/// `ErrorCode` and `ErrorDesc` (`downloadEdoc` excepted: the raw document, or an empty body).
/// Documents sent here are taken and published by the same ``DocumentOutbox`` as spool and
/// `/v1` documents; documents received wait in the store (``SDKReceivedRecord``) until `done`.
struct SDKAPI: Sendable {
    let configuration: AgentConfiguration.SDK
    let store: AgentStore
    /// nil when the agent has no sending side: `sendEdoc` answers `FAIL`.
    let outbox: DocumentOutbox?
    let directory: DirectoryStore
    let agency: String
    let logger: Logger
    /// How long `sendEdoc` waits for the broker before answering (the document stays recorded
    /// and is published when the broker answers).
    var publishWait: Duration = .seconds(10)

    func add(to router: Router<AgentRequestContext>) {
        let path = RouterPath(configuration.basePath + "/:operation")
        router.post(path, use: handle)
        router.get(path, use: handle)
    }

    @Sendable func handle(_ request: Request, context: AgentRequestContext) async throws -> Response {
        let operation = context.parameters.get("operation") ?? ""
        let authenticated = SDKRequest.authenticate(
            header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }, systems: configuration.systems)
        let caller: SDKRequest
        switch authenticated {
        case .failure(let failure):
            logger.warning("SDK request refused", metadata: [
                "docrelay.sdk.operation": "\(operation)", LogKey.error: "\(failure.reason)",
            ])
            return operation == "downloadEdoc" ? Self.emptyBody() : Self.answer(failureAnswer(operation, failure))
        case .success(let request):
            caller = request
        }
        do {
            switch operation {
            case "sendEdoc": return Self.answer(try await sendEdoc(caller, request))
            case "getReceivedEdocList": return Self.answer(try await receivedList(caller))
            case "getEdoc": return Self.answer(try await getEdoc(caller))
            case "downloadEdoc": return try await downloadEdoc(caller)
            case "updateStatus": return Self.answer(try await updateStatus(caller))
            case "getSentEdocList": return Self.answer(try await sentList(caller))
            case "countReceiveEdoc": return Self.answer(try await count(caller, kind: .edoc))
            case "countReceiveStatus": return Self.answer(try await count(caller, kind: .status))
            case "getAgenciesList": return Self.answer(SDKAnswers.WithData(data: SDKDirectoryAnswers.agencies(directory.current)))
            case "getSynchronizeUnit": return Self.answer(SDKAnswers.WithData(data: SDKDirectoryAnswers.units(directory.current)))
            default:
                return Self.answer(SDKAnswers.Envelope(SDKFailure(
                    "operation \(operation) is not served by DocRelay (registerAgency and deleteAgency: the directory is the hub's)")))
            }
        } catch let failure as SDKFailure {
            logger.notice("SDK operation failed", metadata: [
                "docrelay.sdk.operation": "\(operation)", "docrelay.sdk.system": "\(caller.system.id)", LogKey.error: "\(failure.reason)",
            ])
            return operation == "downloadEdoc" ? Self.emptyBody() : Self.answer(failureAnswer(operation, failure))
        } catch {
            // The store failing: still the SDK's answer (HTTP 200, every field), never another shape.
            logger.error("SDK operation failed inside the agent", metadata: [
                "docrelay.sdk.operation": "\(operation)", LogKey.error: "\(error)",
            ])
            let failure = SDKFailure("internal error of the agent: try again later (its log says more)")
            return operation == "downloadEdoc" ? Self.emptyBody() : Self.answer(failureAnswer(operation, failure))
        }
    }

    /// A failure with every field the operation's answer has (`DocId` of `sendEdoc`, `data` of
    /// lists, `count`), present and typed, so that the client finds no null.
    private func failureAnswer(_ operation: String, _ failure: SDKFailure) -> any Encodable & Sendable {
        let envelope = SDKAnswers.Envelope(failure)
        switch operation {
        case "sendEdoc":
            return SDKAnswers.Sent(status: envelope.status, ErrorCode: envelope.ErrorCode, ErrorDesc: envelope.ErrorDesc, DocId: "")
        case "countReceiveEdoc", "countReceiveStatus":
            return SDKAnswers.Count(status: envelope.status, ErrorCode: envelope.ErrorCode, ErrorDesc: envelope.ErrorDesc, count: 0)
        case "getEdoc":
            return SDKAnswers.WithData(status: envelope.status, ErrorCode: envelope.ErrorCode, ErrorDesc: envelope.ErrorDesc, data: "")
        case "getReceivedEdocList", "getSentEdocList", "getAgenciesList", "getSynchronizeUnit":
            return SDKAnswers.WithData(
                status: envelope.status, ErrorCode: envelope.ErrorCode, ErrorDesc: envelope.ErrorDesc, data: [String]())
        default:
            return envelope
        }
    }

    // MARK: Sending

    private func sendEdoc(_ caller: SDKRequest, _ request: Request) async throws -> SDKAnswers.Sent {
        guard let outbox else { throw SDKFailure("this agent has no sending side (send: in its configuration)") }
        // The home hub's max-document-bytes (a larger document travels in segments), and the
        // CRLF the SDK appends.
        let limit = outbox.preparer.maxDocumentBytes
        // Held under the outbox's upload budget until published (or refused).
        let reserved = DocumentOutbox.uploadReservation(contentLength: request.headers[.contentLength], limit: limit + 2)
        await outbox.uploads.acquire(reserved)
        var handedOver = false
        defer { if !handedOver { outbox.uploads.release(reserved) } }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit + 2)
        } catch {
            throw SDKFailure("the document is over \(limit) bytes (max-document-bytes of this agency's home hub)")
        }
        let plan = try SDKSendCheck.check(caller, body: Array(buffer: body)).get()
        let submission = DocumentSubmission(
            value: plan.value,
            metadata: .unsigned(id: plan.id, kind: plan.kind, to: nil, ref: nil, contentType: "application/edxml+xml"))
        // The transport id and digest before signing: a retried request finds its first record.
        let draft = DocumentDraft(id: plan.id, kind: plan.kind, from: agency, contentType: "application/edxml+xml")
        let unsigned: SignedHeaders
        do {
            unsigned = try DocumentSigner.headers(for: plan.value, draft: draft)
        } catch {
            throw SDKFailure("malformed edXML: \(error)")
        }
        var record: OutgoingRecord
        if let earlier = try await sameDocument(id: unsigned.id, sha256: unsigned.sha256) {
            record = earlier
        } else {
            do {
                // No API client: like a spool document, any reader of /v1 may follow it (the
                // system that sent it is kept in sdk_sent).
                record = try await outbox.take(submission, source: .sdk)
            } catch let error as SubmissionError {
                // Two copies of one request at once: the other one took it.
                guard error.errorClass == "duplicate", let earlier = try await sameDocument(id: unsigned.id, sha256: unsigned.sha256) else {
                    throw SDKFailure("\(error.errorClass): \(error.description)")
                }
                record = earlier
            }
        }
        let sdkId = SDKDocumentID.of(from: agency, id: record.id)
        try await store.recordSDKSent(SDKSentRecord(
            sdkId: sdkId, id: record.id, system: caller.system.id, messageType: plan.kind.rawValue, title: plan.title,
            notation: plan.notation, createdAt: record.createdAt))
        if plan.kind == .status, let code = plan.statusCode {
            try await store.record(StatusRecord(
                id: record.id, ref: record.ref, direction: .sent, fromCode: agency, toCode: record.recipients, code: code.rawValue,
                statusDescription: nil, at: record.createdAt))
        }
        if record.state == .queued {
            // The bytes at hand (the record kept, if any, has the same id and digest): the store's
            // copy is not loaded as a second one (a document may be up to max-document-bytes).
            record.value = nil
            let value = plan.value
            handedOver = true
            let publishing = Task { [record] in
                defer { outbox.uploads.release(reserved) }
                return try await outbox.publish(record, value: value)
            }
            let wait = publishWait
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await publishing.value }
                group.addTask { try? await Task.sleep(for: wait) }
                await group.next()
                group.cancelAll()
            }
        }
        return SDKAnswers.Sent(DocId: sdkId)
    }

    /// The record sent before under `id`, when it holds the same bytes; a FAIL when other bytes
    /// took the id (one sender's id names one content: contract, "A record").
    private func sameDocument(id: String, sha256: String) async throws -> OutgoingRecord? {
        guard let earlier = try await store.outgoing(id: id) else { return nil }
        guard earlier.sha256 == sha256 else {
            throw SDKFailure("duplicate: the id \(id) was already sent on \(earlier.createdAt) with other content: a new document needs a new DocumentId")
        }
        return earlier
    }

    // MARK: Receiving

    private func receivedList(_ caller: SDKRequest) async throws -> SDKAnswers.WithData<[SDKAnswers.ReceivedItem]> {
        let kind = try SDKMailboxRules.messageType(caller).get()
        return SDKAnswers.WithData(data: try await store.mailbox(kind: kind.rawValue).map(SDKMailboxRules.listItem))
    }

    private func count(_ caller: SDKRequest, kind: DocumentKind) async throws -> SDKAnswers.Count {
        SDKAnswers.Count(count: try await store.mailboxCount(kind: kind.rawValue))
    }

    private func item(_ caller: SDKRequest) async throws -> SDKReceivedRecord {
        let id = try SDKMailboxRules.documentID(caller).get()
        guard let item = try await store.mailboxItem(sdkId: id) else { throw SDKFailure("no document \(id) was received by this agent") }
        return item
    }

    private func getEdoc(_ caller: SDKRequest) async throws -> SDKAnswers.WithData<String> {
        SDKAnswers.WithData(data: try await item(caller).value.base64EncodedString())
    }

    private func downloadEdoc(_ caller: SDKRequest) async throws -> Response {
        let item = try await item(caller)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(item.value))))
    }

    private func updateStatus(_ caller: SDKRequest) async throws -> SDKAnswers.Envelope {
        let item = try await item(caller)
        guard let requested = caller.parameter("status") else { throw SDKFailure("missing parameter status") }
        let state = try SDKMailboxRules.update(item.state, to: requested).get()
        if state != item.state || caller.parameter("description") != item.statusDescription {
            try await store.setMailboxState(
                sdkId: item.sdkId, state: state, description: caller.parameter("description"),
                at: RFC3339.format(Date(), fractionalDigits: 3))
        }
        if state == .fail {
            logger.warning("An SDK client could not take a received document", metadata: [
                LogKey.documentID: "\(item.id)", LogKey.agency: "\(item.fromCode)",
                "docrelay.sdk.system": "\(caller.system.id)", "docrelay.sdk.description": "\(caller.parameter("description") ?? "")",
            ])
        }
        return SDKAnswers.Envelope()
    }

    private func sentList(_ caller: SDKRequest) async throws -> SDKAnswers.WithData<[SDKAnswers.SentItem]> {
        let kind = try SDKMailboxRules.messageType(caller).get()
        var sent = try await store.sdkSent(system: caller.system.id, messageType: kind.rawValue, sdkId: caller.parameter("docId"))
        if sent.isEmpty, caller.parameter("docId") != nil {
            // The SDK never clears its parameters: a docId naming nothing this system sent is
            // taken for one left by an earlier getEdoc or updateStatus, and ignored.
            sent = try await store.sdkSent(system: caller.system.id, messageType: kind.rawValue, sdkId: nil)
        }
        var items: [SDKAnswers.SentItem] = []
        for (record, outgoing) in sent {
            let acks = try await store.acks(ref: record.id).map { (recipient: $0.recipient, outcome: $0.outcome, reason: $0.reason, at: $0.at) }
            let statuses = try await store.statuses(ref: record.id).filter { $0.direction == .received }
                .map { (from: $0.fromCode, code: $0.code, description: $0.statusDescription, at: $0.at) }
            items += SDKMailboxRules.sentItems(record, outgoing: outgoing, agency: agency, acks: acks, statuses: statuses)
        }
        return SDKAnswers.WithData(data: items)
    }

    // MARK: Answers

    /// HTTP 200 with `value` as ASCII JSON, without a byte order mark.
    static func answer(_ value: any Encodable & Sendable) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: SDKAnswers.json(value))))
    }

    /// `downloadEdoc`'s failure: an empty body (the client saves any other as the document).
    static func emptyBody() -> Response {
        Response(status: .notFound, headers: [:], body: ResponseBody(byteBuffer: ByteBuffer()))
    }
}
