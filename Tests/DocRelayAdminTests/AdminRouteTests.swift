@testable import DocRelayAdmin
import DocRelayTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import Prometheus
import Synchronization
import Testing

/// The routes, driven without a network (`app.test(.router)`).
@Suite("Admin routes")
struct AdminRouteTests {
    private let registry = PrometheusCollectorRegistry()

    private func server(_ health: @escaping @Sendable () async -> HealthReport = { .healthy() }) -> AdminServer {
        AdminServer(configuration: .init(port: 0), registry: registry, logger: testLogger, health: health)
    }

    @Test("GET /metrics renders the registry as Prometheus text")
    func metrics() async throws {
        let factory = MetricsBootstrap.makeFactory(registry: registry)
        Counter(label: "docrelay_records_total", dimensions: [("outcome", "delivered")], factory: factory).increment(by: 3)
        Timer(label: "docrelay_end_to_end_latency_seconds", factory: factory).record(duration: .seconds(42))

        try await server().makeApplication().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE docrelay_records_total counter"))
                #expect(text.contains(#"docrelay_records_total{outcome="delivered"} 3"#))
                #expect(text.contains(#"docrelay_end_to_end_latency_seconds_bucket{le="30.0"} 0"#))
                #expect(text.contains(#"docrelay_end_to_end_latency_seconds_bucket{le="60.0"} 1"#))
                #expect(text.contains("docrelay_end_to_end_latency_seconds_count 1"))
            }
        }
    }

    @Test("GET /healthz answers 200 and the report's details when healthy")
    func healthy() async throws {
        let app = server { .healthy(details: ["consumer": "assigned 12 partitions"]) }.makeApplication()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(String(buffer: response.body) == #"{"details":{"consumer":"assigned 12 partitions"},"reasons":[],"status":"ok","warnings":[]}"#)
            }
        }
    }

    @Test("GET /healthz answers 503 with the reasons when unhealthy")
    func unhealthy() async throws {
        let report = HealthReport.unhealthy(["no partition assigned and not joining", "fatal Kafka error: SSL handshake failed"])
        try await server { report }.makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(HealthBody.self, from: Data(response.body.readableBytesView))
                #expect(body.status == "unhealthy")
                #expect(body.reasons == report.reasons)
            }
        }
    }

    @Test("GET /healthz answers 200 \"degraded\" with the warnings when healthy but warned; a reason still makes it 503")
    func degraded() async throws {
        var report = HealthReport.healthy(details: ["phase": "running"])
        report.warn("inbox of 000.00.00.G22: oldest unread record 25d old, retention 30d")
        let warned = report
        try await server { warned }.makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok, "a liveness probe must not restart a relay that works")
                #expect(String(buffer: response.body) == #"{"details":{"phase":"running"},"reasons":[],"status":"degraded","warnings":["inbox of 000.00.00.G22: oldest unread record 25d old, retention 30d"]}"#)
            }
        }
        report.fail("the relay is stopping")
        let failing = report
        try await server { failing }.makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONDecoder().decode(HealthBody.self, from: Data(response.body.readableBytesView))
                #expect(body.status == "unhealthy")
                #expect(body.warnings == failing.warnings)
            }
        }
    }

    @Test("Each probe asks the health check again")
    func askedEachTime() async throws {
        let healthy = Mutex(true)
        let app = server { healthy.withLock { $0 } ? .healthy() : .unhealthy(["producer queue stuck"]) }.makeApplication()
        try await app.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for state in [true, false, true] {
                healthy.withLock { $0 = state }
                statuses.append(try await client.execute(uri: "/healthz", method: .get).status)
            }
            #expect(statuses == [.ok, .serviceUnavailable, .ok])
        }
    }

    @Test("Unknown paths and methods answer the one JSON error")
    func notFound() async throws {
        try await server().makeApplication().test(.router) { client in
            for (uri, method) in [("/nothing", HTTPRequest.Method.get), ("/metrics", .post), ("/healthz", .delete)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    let body = try JSONDecoder().decode(AdminError.Body.self, from: Data(response.body.readableBytesView))
                    #expect(body == .init(error: .init(status: 404, message: "Not Found")))
                }
            }
        }
    }

    @Test("An unexpected error answers 500 in the same JSON, without its detail")
    func unexpectedError() async throws {
        struct Secret: Error {}
        var quiet = testLogger
        quiet.logLevel = .critical  // the error it logs is expected here
        let router = AdminServer.makeRouter(registry: registry, healthCheck: HealthCheckClosure { .healthy() }, logger: quiet)
        router.get("boom") { _, _ -> String in throw Secret() }
        router.get("teapot") { _, _ -> String in throw HTTPError(.badRequest, message: "no tea") }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body) == #"{"error":{"message":"Internal Server Error","status":500}}"#)
            }
            try await client.execute(uri: "/teapot", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body) == #"{"error":{"message":"no tea","status":400}}"#)
            }
        }
    }
}
