import Hummingbird
import Logging

/// Turns every error of a route (Hummingbird's own 404s included) into an ``AdminError``, so that
/// each one renders as the same JSON. An unexpected error is logged and answered 500 without detail.
struct AdminErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let logger: Logger

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminError {
            throw error
        } catch let error as HTTPError {
            throw AdminError(error.status, message: error.body)
        } catch {
            logger.error(
                "Admin request failed",
                metadata: [AdminLogKey.path: "\(request.uri.path)", AdminLogKey.error: "\(error)"]
            )
            throw AdminError(.internalServerError)
        }
    }
}
