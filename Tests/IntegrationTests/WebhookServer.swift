import DocRelayTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A webhook for agent tests: records every request it accepts, and answers 503 while told to
/// fail (a number of times, or until told otherwise).
final class WebhookServer: Sendable {
    struct Delivery: Sendable {
        var id: String
        var body: [UInt8]
        var headers: [String: String]
    }

    private struct State {
        var failuresLeft = 0
        var failing = false
        var accepted: [Delivery] = []
        var refusedCount = 0
    }

    private let state = Mutex(State())
    private let task: Task<Void, any Error>
    let url: String

    private init(task: Task<Void, any Error>, url: String) {
        self.task = task
        self.url = url
    }

    /// Starts on a free port of 127.0.0.1.
    static func start() async throws -> WebhookServer {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let box = Mutex<WebhookServer?>(nil)
        let router = Router()
        router.post("/documents") { request, _ -> Response in
            guard let server = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await server.receive(request)
        }
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: {
                var logger = Logger(label: "webhook-test")
                logger.logLevel = .critical
                return logger
            }())
        // Off the cooperative pool: a webhook that answers late makes the agent's deadline expire
        // and the delivery come twice.
        let task = Task(executorPreference: DedicatedExecutor.servers) { try await application.run() }
        var port = 0
        for await bound in stream {
            port = bound
            break
        }
        let server = WebhookServer(task: task, url: "http://127.0.0.1:\(port)/documents")
        box.withLock { $0 = server }
        return server
    }

    private func receive(_ request: Request) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: 64 * 1024 * 1024))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let refuse = state.withLock { state -> Bool in
            if state.failing || state.failuresLeft > 0 {
                state.failuresLeft = max(0, state.failuresLeft - 1)
                state.refusedCount += 1
                return true
            }
            state.accepted.append(Delivery(id: headers["dr-id"] ?? "", body: body, headers: headers))
            return false
        }
        return Response(status: refuse ? .serviceUnavailable : .ok)
    }

    /// Answers 503 to the next `count` requests.
    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }
    /// Answers 503 to every request until told otherwise.
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    var accepted: [Delivery] { state.withLock { $0.accepted } }
    var refusedCount: Int { state.withLock { $0.refusedCount } }

    func stop() { task.cancel() }

    deinit { task.cancel() }
}
