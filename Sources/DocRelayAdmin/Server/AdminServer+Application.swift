import Hummingbird
import Logging
import NIOCore
import Prometheus

extension AdminServer {
    /// The Hummingbird application `run()` serves; route tests drive it without a network.
    func makeApplication() -> some ApplicationProtocol {
        let listening = self.listening
        let logger = self.logger
        let configuredHost = configuration.host
        return Application(
            router: Self.makeRouter(registry: registry, help: help, healthCheck: healthCheck, logger: logger),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                let address = Address(
                    host: channel.localAddress?.ipAddress ?? configuredHost,
                    port: channel.localAddress?.port ?? 0
                )
                listening.listen(at: address)
                logger.notice("Admin server listening", metadata: [AdminLogKey.address: "\(address)"])
            },
            logger: logger
        )
    }

    /// `/metrics` and `/healthz`; every error, unknown paths included, answered as JSON.
    static func makeRouter(
        registry: PrometheusCollectorRegistry,
        help: MetricHelp = MetricHelp(),
        healthCheck: any HealthCheck,
        logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AdminErrorMiddleware(logger: logger))
        router.get("metrics", use: MetricsRoute(registry: registry, help: help).respond)
        router.get("healthz", use: HealthRoute(check: healthCheck).respond)
        return router
    }
}
