/// What `/healthz` asks. The relay implements it from state it already holds (consumer
/// assignment, fatal Kafka errors, producer queue progress); it should answer at once, without
/// I/O, since it runs on every probe.
public protocol HealthCheck: Sendable {
    /// The current health; unhealthy when any reason is given.
    func health() async -> HealthReport
}

/// A ``HealthCheck`` from a closure.
public struct HealthCheckClosure: HealthCheck {
    private let body: @Sendable () async -> HealthReport

    public init(_ body: @escaping @Sendable () async -> HealthReport) {
        self.body = body
    }

    public func health() async -> HealthReport {
        await body()
    }
}
