extension KafkaConsumer {
    /// Where a partition assigned to this member starts when the member still holds work of an
    /// earlier assignment of it that the group's commit does not show: a commit owed since a
    /// revocation (refused while the group rebalanced) or a loss, or records of a lost
    /// assignment still in processing.
    ///
    /// Why: librdkafka starts an assigned partition at the group's committed offset. Given its
    /// partitions back while the broker still refused the owed commit (the next rebalance had
    /// begun at once, as the embedded broker does while members join one after another), a
    /// member handed out again records it had processed: a relay with three members delivered
    /// 28 to 84 of 122 documents twice on a loaded machine (`RelaySubscriptionShardsTests`).
    /// Everything below this member's processed offset was processed by it, so starting there
    /// loses nothing.
    enum Resumption: Equatable, Sendable {
        /// The lost assignment carries over (its offset tracker and generation, so its records
        /// still in processing count when they finish); fetching restarts at `start`, after the
        /// last record it handed out.
        case carryOver(start: Int64)
        /// A fresh start at this offset, which counts as processed: the next commit sends it.
        case startAt(Int64)
        /// librdkafka's own start: the group's commit (another owner went further, or nothing
        /// is held here).
        case groupCommit

        /// - Parameters:
        ///   - owed: this member's processed offset whose commit is owed, if any.
        ///   - lost: the lost assignment with records still in processing, if any.
        ///   - committed: the group's committed offset, nil when there is none or it could not
        ///     be read (then this member's own progress decides).
        static func decide(owed: Int64?, lost: StateMachine.Partition?, committed: Int64?) -> Resumption {
            let group = committed ?? -1
            let processed = [owed, lost?.tracker.committable].compactMap { $0 }.max()
            if let lost, let next = lost.tracker.nextExpected {
                let base = processed ?? lost.firstHandedOut ?? next
                if group <= base { return .carryOver(start: next) }
            }
            if let processed, group < processed { return .startAt(processed) }
            return .groupCommit
        }
    }
}
