import DocRelayCore
import DocRelayDaemon
import DocRelayKafka
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging

/// The agent's HTTP API (docs/agent-api.yaml):
///
/// - `POST /v1/documents`: the body is the document; `dr-to` (comma-separated), `dr-id`,
///   `dr-kind`, `dr-ref` and `Content-Type` say what the agent signs (an edXML body needs none
///   of them); with `dr-signature`, every signed `dr-*` header is given and passed on as is.
///   201 once the broker acknowledged it, 202 while it is still queued (it stays recorded and is
///   published when the broker answers), 4xx with the reason when it cannot be sent.
/// - `GET /v1/documents/{id}`: the state of a document sent or received (`DocumentState`).
/// - `POST /v1/documents/{id}/status`: a business status (02–06, 13, 15, 16) about a document
///   received, to its sender.
/// - `POST /v1/documents/{id}/redeliver`: one more webhook attempt for a parked document.
/// - `GET /v1/agencies?q=&limit=`: the address book (``AgencyBookAnswer``).
/// - `GET /healthz`.
/// - `GET /metrics`: Prometheus text exposition (``AgentMetrics``).
/// - with `sdk:`, the national hub SDK's operations under its base path (``SDKAPI``).
///
/// With `api.clients`, every request but `/healthz` and `/metrics` carries a client's bearer token, and each
/// route checks what that client may do (``APIAuthentication``).
///
/// Ids may hold `/` (edXML DocumentIds do): encode it as `%2F` in the path.
struct AgentAPI: Sendable {
    let setup: AgentSetup
    let store: AgentStore
    let outbox: DocumentOutbox?
    let statuses: StatusSender?
    let redelivery: Redelivery?
    /// What `/healthz`'s liveness rules look at, and their thresholds.
    let status: AgentStatus
    let health: Liveness.Thresholds
    let logger: Logger
    /// Who may call it.
    var authentication = APIAuthentication(clients: [])
    /// How long `POST /v1/documents` waits for the broker before answering 202.
    var publishWait: Duration = .seconds(10)
    /// The SDK's API, when `sdk:` is configured.
    var sdk: SDKAPI?

    func router() -> Router<AgentRequestContext> {
        let router = Router(context: AgentRequestContext.self)
        router.add(middleware: APIErrorMiddleware(logger: logger))
        router.add(middleware: APIAuthenticationMiddleware(
            authentication: authentication, sdkBasePath: sdk?.configuration.basePath, logger: logger))
        router.post("/v1/documents", use: submit)
        router.get("/v1/agencies", use: agencies)
        sdk?.add(to: router)
        router.get("/v1/documents/:id", use: state)
        router.post("/v1/documents/:id/status", use: postStatus)
        router.post("/v1/documents/:id/redeliver", use: redeliver)
        router.get("/healthz", use: health)
        router.get("/metrics", use: metrics)
        return router
    }

    // MARK: Routes

    @Sendable func submit(_ request: Request, context: AgentRequestContext) async throws -> Response {
        try authentication.require(.send, context)
        guard let outbox else {
            throw APIError(.notFound, "not-found", "this agent has no sending side (send: in its configuration)")
        }
        // The home hub's max-document-bytes (a larger document travels in segments). The body is
        // collected once, then copied once into the value the signer needs; the buffer is freed
        // at once.
        let limit = outbox.preparer.maxDocumentBytes
        // Held under the outbox's upload budget until published (or refused).
        let reserved = DocumentOutbox.uploadReservation(contentLength: request.headers[.contentLength], limit: limit)
        await outbox.uploads.acquire(reserved)
        var handedOver = false
        defer { if !handedOver { outbox.uploads.release(reserved) } }
        let value: [UInt8]
        do {
            value = Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw APIError(
                .contentTooLarge, "oversize",
                "a document of at most \(limit) bytes (max-document-bytes of this agency's home hub in the directory)")
        }
        let submission = DocumentSubmission(value: value, metadata: try metadata(of: request))
        var record: OutgoingRecord
        do {
            record = try await outbox.take(submission, source: .http, client: context.client?.name)
        } catch let error as SubmissionError {
            throw APIError(error)
        }
        // The store keeps its own copy for a resend; this one's is dropped, so that the document
        // is held once (value) while it is published.
        record.value = nil
        handedOver = true
        let publishing = Task { [record] in
            defer { outbox.uploads.release(reserved) }
            return try await outbox.publish(record, value: value)
        }
        let wait = publishWait
        let published = await withTaskGroup(of: OutgoingRecord?.self) { group in
            group.addTask { try? await publishing.value }
            group.addTask {
                try? await Task.sleep(for: wait)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let current = try await store.outgoing(id: record.id) ?? published ?? record
        let view = DocumentStateView.sent(current, acks: [], statuses: [])
        return try APIJSON.response(view, status: current.state == .published ? .created : .accepted)
    }

    @Sendable func agencies(_ request: Request, context: AgentRequestContext) async throws -> Response {
        try authentication.require(.read, context)
        let query = request.uri.queryParameters.get("q") ?? ""
        var limit = 50
        if let text = request.uri.queryParameters.get("limit") {
            guard let number = Int(text), (1...1_000).contains(number) else {
                throw APIError(.badRequest, "malformed", field: "limit", "a number from 1 to 1000, not '\(text)'")
            }
            limit = number
        }
        let directory = setup.directory
        let found = directory.agencySearch.search(query, limit: limit)
        return try APIJSON.response(AgencyBookAnswer(query: query, agencies: found, directory: directory.current), status: .ok)
    }

    @Sendable func state(_ request: Request, context: AgentRequestContext) async throws -> Response {
        try authentication.require(.read, context)
        let id = try documentID(context)
        if request.uri.queryParameters.get("from") == nil, let sent = try await store.outgoing(id: id) {
            try authentication.requireOwner(sent.client, id: id, context)
            let view = DocumentStateView.sent(sent, acks: try await store.acks(ref: id), statuses: try await store.statuses(ref: id))
            return try APIJSON.response(view, status: .ok)
        }
        if let received = try await received(id, request) {
            return try APIJSON.response(DocumentStateView.received(received, statuses: try await store.statuses(ref: id)), status: .ok)
        }
        throw APIError(.notFound, "not-found", "no document \(id) was sent or received by this agent")
    }

    /// The body of `POST /v1/documents/{id}/status`.
    struct StatusRequest: Codable, Sendable {
        var code: String
        var description: String?
        var staff: Staff?

        struct Staff: Codable, Sendable {
            var department: String?
            var staff: String?
            var mobile: String?
            var email: String?
        }
    }

    /// The answer of `POST /v1/documents/{id}/status`.
    struct StatusResponse: Codable, Sendable {
        var id: String
        var ref: String
        var code: String
        var name: String
        var to: String
        var state: String
    }

    @Sendable func postStatus(_ request: Request, context: AgentRequestContext) async throws -> Response {
        try authentication.require(.send, context)
        let id = try documentID(context)
        guard let statuses else {
            throw APIError(.notFound, "not-found", "this agent has no receiving side (receive: in its configuration)")
        }
        let body = try await request.body.collect(upTo: 64 * 1024)
        guard let status = try? JSONDecoder().decode(StatusRequest.self, from: Data(Array(buffer: body))) else {
            throw APIError(.badRequest, "malformed", field: "body", #"a JSON object such as {"code": "03", "description": "..."}"#)
        }
        guard let code = EdXMLStatusCode(rawValue: status.code), code.isWritable, code != .received else {
            throw APIError(
                .unprocessableContent, "malformed", field: "code",
                "one of 02, 03, 04, 05, 06, 13, 15, 16 (01 is sent by the agent on delivery), not '\(status.code)'")
        }
        guard let document = try await received(id, request) else {
            throw APIError(.notFound, "not-found", "no document \(id) was received by this agent")
        }
        guard document.state == .delivered, document.kind == DocumentKind.edoc.rawValue else {
            throw APIError(
                .conflict, "conflict",
                "a status is about a document delivered to this agency; \(id) is a \(document.kind), \(document.state.rawValue)")
        }
        let staff = status.staff.map { EdXMLStaff(department: $0.department, staff: $0.staff, mobile: $0.mobile, email: $0.email) }
        let record: OutgoingRecord
        do {
            record = try await statuses.send(code, description: status.description, about: document, staff: staff)
        } catch let error as SubmissionError {
            throw APIError(error)
        } catch let error as KafkaError {
            logger.warning("A status is queued: the broker did not acknowledge it yet", metadata: [LogKey.error: "\(error)"])
            throw APIError(.serviceUnavailable, "unavailable", "the broker did not acknowledge the status: \(error); it is kept and sent later")
        }
        let response = StatusResponse(
            id: record.id, ref: id, code: code.rawValue, name: code.name, to: document.fromCode, state: record.state.rawValue)
        return try APIJSON.response(response, status: record.state == .published ? .created : .accepted)
    }

    @Sendable func redeliver(_ request: Request, context: AgentRequestContext) async throws -> Response {
        try authentication.require(.redeliver, context)
        let id = try documentID(context)
        guard let redelivery else {
            throw APIError(.notFound, "not-found", "this agent has no webhook (receive.webhook in its configuration)")
        }
        guard let document = try await received(id, request) else {
            throw APIError(.notFound, "not-found", "no document \(id) was received by this agent")
        }
        guard document.state == .webhookFailed else {
            throw APIError(.conflict, "conflict", "\(id) is \(document.state.rawValue), not webhook-failed: nothing to redeliver")
        }
        let updated = try await redelivery.redeliver(document)
        let view = DocumentStateView.received(updated, statuses: try await store.statuses(ref: id))
        guard updated.state == .delivered else {
            throw APIError(.badGateway, "unavailable", "the webhook did not accept it: \(updated.webhookError ?? "")")
        }
        return try APIJSON.response(view, status: .ok)
    }

    /// `GET /healthz`: 503 `unhealthy` with the reasons of docs/operations.md (a fatal producer
    /// error, Kafka unreachable, no progress while records wait, lag growing); else 200 `ok`, or
    /// `degraded` with the reasons (documents parked, sends queued, a CRL past its nextUpdate, a
    /// trust reload that failed). `revocation` says whether revocation is checked.
    struct Health: Codable, Sendable {
        var status: String
        var agency: String
        var parked: Int
        var queued: Int
        var reasons: [String]
        var revocation: String
    }

    @Sendable func health(_ request: Request, context: AgentRequestContext) async throws -> Response {
        let parked = try await store.parkedIncoming()
        let queued = try await store.queuedCount()
        let trust = setup.trust.status()
        let unhealthy = status.reasons(health)
        if !unhealthy.isEmpty {
            let health = Health(
                status: "unhealthy", agency: setup.code, parked: parked.count, queued: queued, reasons: unhealthy,
                revocation: trust.revocation)
            return try APIJSON.response(health, status: .serviceUnavailable)
        }
        var reasons: [String] = []
        if !parked.isEmpty {
            reasons.append("\(parked.count) received document(s) the webhook did not accept: \(parked.prefix(5).map(\.id).joined(separator: ", "))")
        }
        if queued > 0 { reasons.append("\(queued) document(s) not yet acknowledged by the broker") }
        reasons += trust.warnings
        let health = Health(
            status: reasons.isEmpty ? "ok" : "degraded", agency: setup.code, parked: parked.count, queued: queued, reasons: reasons,
            revocation: trust.revocation)
        return try APIJSON.response(health, status: .ok)
    }

    @Sendable func metrics(_ request: Request, context: AgentRequestContext) async throws -> Response {
        let snapshot = status.snapshot()
        let trust = setup.trust.status()
        let metrics = AgentMetrics(
            liveness: snapshot.liveness, outcomes: snapshot.outcomes, failing: snapshot.failing,
            parked: try await store.parkedIncoming().count, queued: try await store.queuedCount(),
            crls: trust.crls.count, trustReloadFailing: trust.reloadFailure != nil)
        return Response(
            status: .ok,
            headers: [.contentType: AgentMetrics.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }

    // MARK: Helpers

    /// The received document `id`, from the sender named by the query's `from` (ids are the
    /// senders' own: two agencies may use one). Without `from`, the one document with that id;
    /// 409 `ambiguous` when several senders used it.
    private func received(_ id: String, _ request: Request) async throws -> IncomingRecord? {
        let from = request.uri.queryParameters.get("from")
        let found = try await store.incoming(id: id, from: from)
        guard found.count <= 1 else {
            throw APIError(
                .conflict, "ambiguous",
                "\(found.count) senders used the id \(id) (\(found.map(\.fromCode).joined(separator: ", "))): add ?from=<sender code>")
        }
        return found.first
    }

    private func documentID(_ context: AgentRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        guard !id.isEmpty, id.utf8.count <= 256 else {
            throw APIError(.badRequest, "malformed", field: "id", "a document id of 1 to 256 bytes")
        }
        return id
    }

    /// What the request's headers say: unsigned metadata, or the signed headers as given.
    private func metadata(of request: Request) throws -> DocumentSubmission.Metadata {
        func header(_ name: String) -> String? {
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }
        if header(HeaderName.signature) != nil {
            return .signed(HeaderName.signed.compactMap { name in header(name).map { (name, Array($0.utf8)) } })
        }
        var kind: DocumentKind?
        if let text = header(HeaderName.kind) {
            guard let parsed = DocumentKind(rawValue: text), parsed != .ack else {
                throw APIError(.badRequest, "malformed", field: HeaderName.kind, "edoc or status, not '\(text)'")
            }
            kind = parsed
        }
        let to = header(HeaderName.to).map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        // dr-content-type is a bare type/subtype: parameters such as charset are left out.
        let contentType = request.headers[.contentType]
            .map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            .flatMap { $0.isEmpty ? nil : $0 }
        return .unsigned(id: header(HeaderName.id), kind: kind, to: to, ref: header(HeaderName.ref), contentType: contentType)
    }
}
