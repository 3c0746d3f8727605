import DocRelaySigning
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The context of an API request: Hummingbird's, and the client its bearer token proved.
struct AgentRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by ``APIAuthentication``; nil when the API has no clients (loopback only).
    var client: AgentConfiguration.APIClient?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }
}

/// Who may call the API (`api.clients`). Every request but `GET /healthz` carries
/// `Authorization: Bearer <token>`; the token's SHA-256 is compared, in constant time, with
/// every client's. A missing or unknown token is 401 (`unauthenticated`); a known client doing
/// what it may not is 403 (`forbidden`). Without clients (allowed on loopback only) every
/// request passes.
struct APIAuthentication: Sendable {
    let clients: [AgentConfiguration.APIClient]

    var isEnabled: Bool { !clients.isEmpty }

    /// The client whose token is `token`, or nil. Every client's digest is compared, whoever
    /// matches, so that the time taken does not say which one did.
    func client(token: String) -> AgentConfiguration.APIClient? {
        let digest = SHA256Digest.hash(Array(token.utf8))
        var found: AgentConfiguration.APIClient?
        for client in clients where Self.constantTimeEqual(client.tokenSHA256, digest) {
            found = client
        }
        return found
    }

    /// The token of `Authorization: Bearer <token>`, or nil.
    static func bearerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Whether the request's client may do `permission`: throws 401 or 403 as JSON.
    func require(_ permission: AgentConfiguration.APIPermission, _ context: AgentRequestContext) throws {
        guard isEnabled else { return }
        guard let client = context.client else { throw APIError.unauthenticated }
        guard client.permissions.contains(permission) else {
            throw APIError(
                .forbidden, "forbidden",
                "client \(client.name) may not \(permission) (its api.clients entry has may: [\(client.permissions.map(\.rawValue).sorted().joined(separator: ", "))])")
        }
    }

    /// Whether the request's client may read a document sent by `sender` (nil: not sent over
    /// the API): a document an API client sent is its own.
    func requireOwner(_ sender: String?, id: String, _ context: AgentRequestContext) throws {
        guard isEnabled, let sender, let client = context.client, client.name != sender else { return }
        throw APIError(.forbidden, "forbidden", "document \(id) was sent by another client of this agent")
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

extension APIAuthentication {
    /// The paths answered without a token.
    static let open: Set<String> = ["/healthz", "/metrics"]
}

/// Authenticates every request but `GET /healthz`, `GET /metrics` (neither says anything of a
/// document, and probes and Prometheus carry no token) and the SDK's operations (see
/// ``APIAuthentication``); those under `sdkBasePath` carry the SDK's own signature instead,
/// checked by ``SDKAPI``.
struct APIAuthenticationMiddleware: RouterMiddleware {
    typealias Context = AgentRequestContext
    let authentication: APIAuthentication
    var sdkBasePath: String? = nil
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isSDK = sdkBasePath.map { request.uri.path.hasPrefix($0 + "/") } ?? false
        guard authentication.isEnabled, !APIAuthentication.open.contains(request.uri.path), !isSDK else {
            return try await next(request, context)
        }
        guard let token = APIAuthentication.bearerToken(request), let client = authentication.client(token: token) else {
            logger.warning("API request refused: no valid token", metadata: [
                "path": "\(request.uri.path)", "method": "\(request.method)",
            ])
            throw APIError.unauthenticated
        }
        var context = context
        context.client = client
        return try await next(request, context)
    }
}

extension APIError {
    /// 401: no token, or one no client has.
    static var unauthenticated: APIError {
        var error = APIError(
            .unauthorized, "unauthenticated",
            "a bearer token of one of the agent's API clients (Authorization: Bearer <token>; api.clients in its configuration)")
        error.headers[.wwwAuthenticate] = #"Bearer realm="docrelay-agent""#
        return error
    }
}
