/// Whether `consumer.session-timeout` leaves the relay's group leader time to compute the
/// group's assignment (issue 16).
///
/// librdkafka computes the cooperative-sticky assignment of every partition of the group on the
/// leader's main thread, the one that sends its heartbeats. A leader that takes longer than the
/// session timeout is dropped from the group (its SyncGroup answered `UNKNOWN_MEMBER_ID`),
/// joins again and computes again, for ever, with nothing but librdkafka's debug log to show
/// it. Measured on the embedded broker with 10,000 partitions (the debug relay): about 5 s on
/// two idle cores and 9 s on loaded ones, where a 6 s session timeout kept the relay without
/// partitions for as long as the load lasted. librdkafka issue 4629 reports 6,000 partitions
/// needing more than 3 s, and 15,000 more than 10 s.
enum AssignmentTime {
    /// Advised per partition of the group: 3 ms (30 s at 10,000 partitions), above the
    /// measured ~0.5-0.9 ms with room for a loaded host.
    static let perPartition: Duration = .milliseconds(3)

    /// The session timeout advised for a group of `partitions`, when `sessionTimeout` is below
    /// it; nil when it is enough.
    static func shortfall(partitions: Int, sessionTimeout: Duration) -> Duration? {
        let advised = perPartition * partitions
        return sessionTimeout < advised ? advised : nil
    }
}
