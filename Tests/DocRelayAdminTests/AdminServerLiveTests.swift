import DocRelayAdmin
import DocRelayTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Testing

/// The server on a real socket, fetched with a plain HTTP client.
///
/// The limit tells a hang from the whole suite on two cores, which slows every step here by
/// three orders of magnitude: alone, the port-taken test takes 30 ms; in a clean-clone run its
/// steps ended at 2.2 s (first server listening), 18.1 s (the second's `run()` failed), 19.7 s
/// (its waiter told) and 40.0 s (the first stopped), and once it passed the old one-minute limit.
@Suite("Admin server, live", .timeLimit(.minutes(5)))
struct AdminServerLiveTests {
    /// Runs `server` in a service group, hands its address to `body`, then shuts down gracefully.
    private func serving<T: Sendable>(
        _ server: AdminServer,
        _ body: @escaping @Sendable (AdminServer.Address) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [server], logger: testLogger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let address = try await within(.seconds(30), "the admin server listening") { try await server.boundAddress() }
            let result = try await body(address)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    private func get(_ address: AdminServer.Address, _ path: String) async throws -> (status: Int, type: String?, body: String) {
        let url = try #require(URL(string: "http://\(address)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type"), String(decoding: data, as: UTF8.self))
    }

    @Test("Port 0 binds a free port; /metrics and /healthz answer over TCP; graceful shutdown stops it")
    func liveServer() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = MetricsBootstrap.makeFactory(registry: registry)
        Counter(label: "docrelay_dead_letters_total", dimensions: [("class", "signature")], factory: factory).increment()
        let server = AdminServer(configuration: .init(host: "127.0.0.1", port: 0), registry: registry, logger: testLogger) {
            .unhealthy(["fatal Kafka error"], details: ["consumer": "joining"])
        }

        try await serving(server) { address in
            #expect(address.host == "127.0.0.1")
            #expect(address.port > 0 && address.port != 9480)

            let metrics = try await get(address, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.type == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.body.contains(#"docrelay_dead_letters_total{class="signature"} 1"#))

            let health = try await get(address, "/healthz")
            #expect(health.status == 503)
            #expect(health.body == #"{"details":{"consumer":"joining"},"reasons":["fatal Kafka error"],"status":"unhealthy","warnings":[]}"#)
        }
        // Stopped: nobody waits for an address that will not come.
        await #expect(throws: AdminServer.NotListening.self) { try await server.boundAddress() }
    }

    @Test("A port already taken fails the server, and whoever waits for its address")
    func portTaken() async throws {
        // Each step prints when it ends: the test ran into the suite's time limit once in a
        // clean-clone run (30-50 ms otherwise), and the limit does not say which step hung.
        let clock = ContinuousClock()
        let start = clock.now
        @Sendable func step(_ what: String) { print("portTaken: \(what) after \(clock.now - start)") }
        let registry = PrometheusCollectorRegistry()
        let first = AdminServer(configuration: .init(port: 0), registry: registry, logger: testLogger) { .healthy() }
        try await serving(first) { address in
            step("the first server listening at \(address)")
            let second = AdminServer(configuration: .init(port: address.port), registry: registry, logger: testLogger) { .healthy() }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    await #expect(throws: AdminServer.NotListening.self) { try await second.boundAddress() }
                    step("the waiter for the second server's address told")
                }
                await #expect(throws: (any Error).self) { try await second.run() }
                step("the second server's run() ended")
                try await tasks.waitForAll()
            }
        }
        step("the first server stopped")
    }

    @Test("Waiting for the address of a server never started ends when the waiter is cancelled")
    func waitCancelled() async throws {
        let server = AdminServer(registry: PrometheusCollectorRegistry(), logger: testLogger) { .healthy() }
        let waiter = Task { try await server.boundAddress() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
