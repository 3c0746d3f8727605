/// One answer of a ``HealthCheck``: healthy when no reason says otherwise.
///
/// `/healthz` renders it as `{"status":"ok","reasons":[],"details":{…}}` with 200, or
/// `{"status":"unhealthy","reasons":[…],"details":{…}}` with 503.
public struct HealthReport: Sendable, Hashable {
    /// Why the process is unhealthy, one constant sentence each (`"fatal Kafka error: …"`).
    public var reasons: [String]
    /// What an operator may want to see either way (`"consumer": "assigned 12 partitions"`).
    public var details: [String: String]

    public init(reasons: [String] = [], details: [String: String] = [:]) {
        self.reasons = reasons
        self.details = details
    }

    /// Healthy, with `details`.
    public static func healthy(details: [String: String] = [:]) -> HealthReport {
        HealthReport(details: details)
    }

    /// Unhealthy for `reasons`.
    public static func unhealthy(_ reasons: [String], details: [String: String] = [:]) -> HealthReport {
        HealthReport(reasons: reasons, details: details)
    }

    /// No reason given.
    public var isHealthy: Bool { reasons.isEmpty }

    /// Adds a reason to be unhealthy.
    public mutating func fail(_ reason: String) {
        reasons.append(reason)
    }
}
