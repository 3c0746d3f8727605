@testable import DocRelayAgent
import AsyncHTTPClient
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// A large document to a webhook (issue 13): the body is streamed from the assembled file; a
/// webhook that never accepts it gets it parked in undelivered/, byte for byte.
@Suite("The agent posts a large document received in segments to its webhook", .serialized)
struct SegmentWebhookTests {
    /// A webhook on a free port that keeps the bodies it accepts, or answers 503 to all.
    final class Hook: Sendable {
        let bodies = Mutex<[(id: String, body: [UInt8], length: String?)]>([])
        let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
        let failing = Mutex(false)

        func start(failing: Bool) async throws -> String {
            self.failing.withLock { $0 = failing }
            let (stream, continuation) = AsyncStream<Int>.makeStream()
            let router = Router()
            router.post("/hook") { [self] request, _ -> Response in
                let body = Array(buffer: try await request.body.collect(upTo: 16 << 20))
                if self.failing.withLock({ $0 }) { return Response(status: .serviceUnavailable) }
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                bodies.withLock { $0.append((headers["dr-id"] ?? "", body, headers["content-length"])) }
                return Response(status: .ok)
            }
            var logger = Logger(label: "hook")
            logger.logLevel = .critical
            let application = Application(
                router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
            task.withLock { $0 = Task(executorPreference: DedicatedExecutor.servers) { try await application.run() } }
            var port = 0
            for await bound in stream {
                port = bound
                break
            }
            return "http://127.0.0.1:\(port)/hook"
        }

        deinit { task.withLock { $0?.cancel() } }
    }

    static func receiver(_ fixture: AgentFixture, client: HTTPClient, store: AgentStore? = nil) throws -> DocumentReceiver {
        let state = fixture.setup.configuration.stateFolder
        return DocumentReceiver(
            setup: fixture.setup, store: try store ?? AgentStore(folder: state), inbox: nil, webhook: try webhook(fixture, client: client),
            statuses: nil, parked: ParkedDocuments(root: state), status: AgentStatus(), logger: testLogger)
    }

    static func webhook(_ fixture: AgentFixture, client: HTTPClient) throws -> WebhookDeliverer {
        WebhookDeliverer(configuration: try #require(fixture.setup.configuration.receive?.webhook), client: client, logger: testLogger)
    }

    @Test("Delivered: the webhook gets the 3 MiB body with its Content-Length; no partial file is left")
    func delivered() async throws {
        let hook = Hook()
        let url = try await hook.start(failing: false)
        let fixture = try AgentFixture(yaml: "receive: { webhook: { url: \"\(url)\" } }")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let receiver = try Self.receiver(fixture, client: client)
        let value = pseudoRandomBytes(count: 3 * 1_048_576, seed: 21)
        var marked: [Int64] = []
        for record in try fixture.records(value, id: "hook-1") { marked += try await receiver.handle(record).map(\.offset) }
        try await client.shutdown()
        #expect(marked == Array(0...5))
        let bodies = hook.bodies.withLock { $0 }
        #expect(bodies.count == 1)
        #expect(bodies.first?.id == "hook-1")
        #expect(bodies.first?.length == "\(value.count)")
        #expect(byteDifference(bodies.first?.body, value) == nil)
        #expect(fixture.files("state/partial").isEmpty)
    }

    @Test("Never accepted: parked in undelivered/ byte for byte, no partial file left; redelivered from the parked file once the webhook accepts")
    func parked() async throws {
        let hook = Hook()
        let url = try await hook.start(failing: true)
        let fixture = try AgentFixture(
            yaml: "receive: { webhook: { url: \"\(url)\", first-retry: 10ms, max-retry: 10ms, give-up-after: 1s } }")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let store = try AgentStore(folder: fixture.setup.configuration.stateFolder)
        let receiver = try Self.receiver(fixture, client: client, store: store)
        let value = pseudoRandomBytes(count: 3 * 1_048_576, seed: 22)
        var marked: [Int64] = []
        for record in try fixture.records(value, id: "hook-2") { marked += try await receiver.handle(record).map(\.offset) }
        #expect(marked == Array(0...5))
        #expect(byteDifference(FileManager.default.contents(atPath: fixture.path("state/undelivered/hook-2.pdf")), value) == nil)
        #expect(fixture.files("state/partial").isEmpty)

        hook.failing.withLock { $0 = false }
        let parked = try #require(try await store.incoming(from: AgentFixture.sender, id: "hook-2"))
        let redelivered = try await Redelivery(webhook: try Self.webhook(fixture, client: client), store: store, statuses: nil).redeliver(parked)
        try await client.shutdown()
        #expect(redelivered.state == .delivered)
        #expect(hook.bodies.withLock { $0.map(\.body) } == [value])
        #expect(fixture.files("state/undelivered").isEmpty)
    }
}
