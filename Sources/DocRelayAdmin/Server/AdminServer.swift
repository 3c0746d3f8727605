public import Logging
public import Prometheus
public import ServiceLifecycle

/// The admin HTTP port of a relay: `GET /metrics` (Prometheus text exposition of `registry`)
/// and `GET /healthz` (JSON, 200 or 503, from a ``HealthCheck``).
///
/// A `Service`: put it in the process's `ServiceGroup` before the services it reports on, so that
/// it stops after them and `/healthz` answers while they drain. It logs the address it bound;
/// with port 0 the system picks a free port, which ``boundAddress()`` tells.
public struct AdminServer: Service {
    /// Where the server listens.
    public let configuration: Configuration
    let registry: PrometheusCollectorRegistry
    let help: MetricHelp
    let healthCheck: any HealthCheck
    let logger: Logger
    let listening = ListeningAddress()

    /// - Parameters:
    ///   - configuration: host and port (`127.0.0.1:9480` by default).
    ///   - registry: what `/metrics` renders (`MetricsBootstrap.prometheus()` in `main`).
    ///   - help: the `# HELP` text of each metric (e.g. `RelayMetrics.help`).
    ///   - healthCheck: what `/healthz` asks on each request.
    public init(
        configuration: Configuration = Configuration(),
        registry: PrometheusCollectorRegistry,
        help: MetricHelp = MetricHelp(),
        healthCheck: any HealthCheck,
        logger: Logger
    ) {
        self.configuration = configuration
        self.registry = registry
        self.help = help
        self.healthCheck = healthCheck
        self.logger = logger
    }

    /// A server whose `/healthz` calls `health`.
    public init(
        configuration: Configuration = Configuration(),
        registry: PrometheusCollectorRegistry,
        help: MetricHelp = MetricHelp(),
        logger: Logger,
        health: @escaping @Sendable () async -> HealthReport
    ) {
        self.init(configuration: configuration, registry: registry, help: help, healthCheck: HealthCheckClosure(health), logger: logger)
    }

    /// Serves until graceful shutdown or cancellation; throws if the address cannot be bound.
    /// Runs once.
    public func run() async throws {
        defer { listening.stop() }
        try await makeApplication().run()
    }

    /// The address the server listens on, once it does (the chosen port when configured with 0).
    ///
    /// - Throws: ``NotListening`` if the server stopped (or failed to bind) first;
    ///   `CancellationError` if the calling task is cancelled while waiting.
    public func boundAddress() async throws -> Address {
        try await listening.wait()
    }

    /// A bound address: the host as the socket reports it, and the port.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The server stopped, or failed to bind, before it listened.
    public struct NotListening: Error, CustomStringConvertible {
        public var description: String { "the admin server is not listening" }
    }
}
