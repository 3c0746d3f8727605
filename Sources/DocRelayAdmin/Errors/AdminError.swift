import Hummingbird

/// The one error the admin port answers with: `{"error":{"status":404,"message":"…"}}`.
struct AdminError: HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, message: String? = nil) {
        self.status = status
        self.message = message ?? status.reasonPhrase
    }

    struct Body: Codable, Equatable {
        struct Detail: Codable, Equatable {
            var status: Int
            var message: String
        }

        var error: Detail
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: JSONBody.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: try JSONBody.encode(Body(error: .init(status: status.code, message: message))))
        )
    }

    var description: String { "\(status.code) \(message)" }
}
