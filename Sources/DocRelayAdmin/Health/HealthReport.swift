/// One answer of a ``HealthCheck``: healthy when no reason says otherwise, degraded when it
/// is healthy but a warning says something needs a person.
///
/// `/healthz` renders it as `{"status":"ok","reasons":[],"warnings":[],"details":{…}}` with 200,
/// `{"status":"degraded","reasons":[],"warnings":[…],"details":{…}}` with 200 (the process works:
/// a liveness probe must not restart it), or `{"status":"unhealthy","reasons":[…],…}` with 503.
public struct HealthReport: Sendable, Hashable {
    /// Why the process is unhealthy, one constant sentence each (`"fatal Kafka error: …"`).
    public var reasons: [String]
    /// What works but needs a person soon, one sentence each (`"inbox of 000.00.00.G22: oldest
    /// unread record 25d old, retention 30d"`).
    public var warnings: [String]
    /// What an operator may want to see either way (`"consumer": "assigned 12 partitions"`).
    public var details: [String: String]

    public init(reasons: [String] = [], warnings: [String] = [], details: [String: String] = [:]) {
        self.reasons = reasons
        self.warnings = warnings
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

    /// Healthy, with a warning.
    public var isDegraded: Bool { reasons.isEmpty && !warnings.isEmpty }

    /// `ok`, `degraded` or `unhealthy`.
    public var status: String {
        isHealthy ? (warnings.isEmpty ? "ok" : "degraded") : "unhealthy"
    }

    /// Adds a reason to be unhealthy.
    public mutating func fail(_ reason: String) {
        reasons.append(reason)
    }

    /// Adds a warning: degraded, unless a reason makes it unhealthy.
    public mutating func warn(_ warning: String) {
        warnings.append(warning)
    }
}
