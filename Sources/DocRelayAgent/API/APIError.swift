import Foundation
import Hummingbird
import Logging

/// Every error of the agent's HTTP API, as JSON: `{"error": "<class>", "field": "...",
/// "message": "..."}` (schema `Error` in docs/agent-api.yaml). The class is the relay's for a
/// document it would refuse (`malformed`, `recipient`, ...), else `not-found`, `conflict`,
/// `too-large`, `unavailable`, `internal`, and `unauthenticated` (401) or `forbidden` (403)
/// for a request without a client's token or beyond what its client may do.
struct APIError: HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var body: Body
    /// Headers of the answer beside the JSON's (`WWW-Authenticate` of a 401).
    var headers: HTTPFields = [:]

    struct Body: Codable, Sendable {
        var error: String
        var field: String?
        var message: String
    }

    init(_ status: HTTPResponse.Status, _ errorClass: String, field: String? = nil, _ message: String) {
        self.status = status
        self.body = Body(error: errorClass, field: field, message: message)
    }

    /// A submission refused: 409 for an id used before, 413 for a document over the size
    /// limit, 422 for a recipient the directory does not know, else 400.
    init(_ error: SubmissionError) {
        let status: HTTPResponse.Status =
            switch error.errorClass {
            case "duplicate": .conflict
            case "oversize": .contentTooLarge
            case "recipient": .unprocessableContent
            default: .badRequest
            }
        self.init(status, error.errorClass, field: error.field, error.message)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIJSON.response(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    var description: String { "\(status.code) \(body.error): \(body.message)" }
}

/// JSON bodies of the API: sorted keys, slashes as they are.
enum APIJSON {
    static func response(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// Turns every error into an ``APIError`` (Hummingbird's own 404 and 405 included); an
/// unexpected one is logged and answered 500 without detail.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = AgentRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let errorClass = error.status == .notFound ? "not-found" : error.status == .contentTooLarge ? "too-large" : "bad-request"
            throw APIError(error.status, errorClass, error.body ?? error.status.reasonPhrase)
        } catch {
            logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "internal", "the agent could not answer: see its log")
        }
    }
}
