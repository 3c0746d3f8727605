import DocRelayCore

/// The agent's `GET /metrics`: what its `/healthz` looks at, as Prometheus gauges and a counter,
/// rendered at each request from the agent's state (no metrics backend), each with `# HELP` and
/// `# TYPE`. No document id and no agency code is a label; the agency is the scrape target's.
struct AgentMetrics: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The metric names, as Prometheus shows them.
    enum Name {
        static let outcomes = "docrelay_agent_outcomes_total"
        static let inProcessing = "docrelay_agent_in_processing"
        static let waiting = "docrelay_agent_waiting"
        static let lag = "docrelay_agent_inbox_lag"
        static let progressAge = "docrelay_agent_last_progress_age_seconds"
        static let brokerUnreachable = "docrelay_agent_broker_unreachable"
        static let halting = "docrelay_agent_halting"
        static let parked = "docrelay_agent_parked_documents"
        static let queued = "docrelay_agent_unacknowledged_documents"
        static let crls = "docrelay_agent_trust_crls"
        static let trustReloadFailing = "docrelay_agent_trust_reload_failing"
    }

    /// Every metric: name, type and help text, in the order rendered.
    static let catalog: [(name: String, type: String, help: String)] = [
        (Name.outcomes, "counter", "Records that reached their outcome since the agent started: received ones delivered, parked or refused, spool files sent or rejected."),
        (Name.inProcessing, "gauge", "Records in hand now: a received record being delivered, or spool files being sent."),
        (Name.waiting, "gauge", "Spool files in outbox/ not yet sent."),
        (Name.lag, "gauge", "Records of the agency's in topic its group has not read yet (last measurement, every 15 s)."),
        (Name.progressAge, "gauge", "Seconds since a record last reached its outcome (or since the agent started)."),
        (Name.brokerUnreachable, "gauge", "1 while no broker answered the agent's probe, else 0."),
        (Name.halting, "gauge", "1 once a fatal producer error stops the agent, else 0."),
        (Name.parked, "gauge", "Received documents the webhook did not accept, parked until redelivered."),
        (Name.queued, "gauge", "Documents recorded for sending that the broker has not acknowledged yet."),
        (Name.crls, "gauge", "CRLs in force; 0 means revocation is not checked."),
        (Name.trustReloadFailing, "gauge", "1 while the last reload of the trust files was refused and older trust is in force, else 0."),
    ]

    let liveness: Liveness
    let outcomes: Int
    let failing: Bool
    let parked: Int
    let queued: Int
    let crls: Int
    let trustReloadFailing: Bool

    /// The value of each metric at `now`.
    func values(at now: ContinuousClock.Instant = .now) -> [String: Double] {
        let age = now - liveness.lastProgress
        return [
            Name.outcomes: Double(outcomes),
            Name.inProcessing: Double(liveness.inProcessing),
            Name.waiting: Double(liveness.waiting),
            Name.lag: Double(liveness.lagSamples.last?.lag ?? 0),
            Name.progressAge: max(0, Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18),
            Name.brokerUnreachable: liveness.unreachableSince == nil ? 0 : 1,
            Name.halting: failing ? 1 : 0,
            Name.parked: Double(parked),
            Name.queued: Double(queued),
            Name.crls: Double(crls),
            Name.trustReloadFailing: trustReloadFailing ? 1 : 0,
        ]
    }

    /// The text exposition (format 0.0.4): `# HELP`, `# TYPE` and the sample of each metric.
    func exposition(at now: ContinuousClock.Instant = .now) -> String {
        let values = values(at: now)
        var text = ""
        for metric in Self.catalog {
            text += "# HELP \(metric.name) \(metric.help)\n# TYPE \(metric.name) \(metric.type)\n"
            text += "\(metric.name) \(Self.format(values[metric.name] ?? 0))\n"
        }
        return text
    }

    /// Whole numbers without a fraction, others as Swift prints them.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
