@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("The consumer's state machine, as a value")
struct ConsumerStateMachineTests {
    let p0 = KafkaTopicPartition(topic: "t", partition: 0)
    let p1 = KafkaTopicPartition(topic: "t", partition: 1)

    func record(_ partition: KafkaTopicPartition, _ offset: Int64, bytes: Int = 10) -> KafkaRecord {
        KafkaRecord(
            topic: partition.topic, partition: partition.partition, offset: offset, key: nil,
            value: [UInt8](repeating: 0, count: bytes), headers: [])
    }

    @Test("Records of partitions not assigned are dropped")
    func unassignedDropped() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        _ = machine.received(record(p0, 0))
        #expect(machine.bufferedCount == 0)
        machine.assigned([p0])
        _ = machine.received(record(p0, 0))
        #expect(machine.bufferedCount == 1)
    }

    @Test("A full buffer stops fetching without pausing partitions; draining to half wakes the fetcher once")
    func backpressure() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 4, maxBufferedBytes: 1_000_000)
        machine.assigned([p0, p1])
        for offset in 0..<4 { _ = machine.received(record(p0, Int64(offset))) }
        #expect(machine.backpressure)
        #expect(machine.control().isEmpty, "librdkafka keeps its prefetched records")
        guard case .deliver = machine.next() else { Issue.record("expected a record"); return }
        #expect(machine.backpressure)
        let early = machine.takeFetchWakeup()
        #expect(!early)
        guard case .deliver = machine.next() else { Issue.record("expected a record"); return }
        #expect(!machine.backpressure)
        let wake = machine.takeFetchWakeup()
        let again = machine.takeFetchWakeup()
        #expect(wake)
        #expect(!again, "reported once")
    }

    @Test("Bytes count toward the buffer limit too")
    func byteLimit() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 100, maxBufferedBytes: 100)
        machine.assigned([p0])
        _ = machine.received(record(p0, 0, bytes: 60))
        #expect(!machine.backpressure)
        _ = machine.received(record(p0, 1, bytes: 60))
        #expect(machine.backpressure)
    }

    @Test("An application pause drops buffered records, pauses and seeks; resume undoes the pause")
    func applicationPause() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 2, maxBufferedBytes: 1_000_000)
        machine.assigned([p0, p1])
        _ = machine.received(record(p0, 0))
        _ = machine.received(record(p0, 1))
        #expect(machine.backpressure)
        machine.pause(p0, resumingAt: 0)
        #expect(machine.bufferedCount == 0)
        #expect(!machine.backpressure)
        let control = machine.control()
        #expect(control.pause == [p0])
        #expect(control.seek.map(\.0) == [p0])
        #expect(control.seek.map(\.1) == [0])
        #expect(control.resume.isEmpty)
        #expect(machine.control().isEmpty)
        _ = machine.received(record(p0, 0))
        #expect(machine.bufferedCount == 0, "records of a paused partition are dropped")
        machine.resume(p0)
        #expect(machine.control().resume == [p0])
        #expect(machine.control().isEmpty)
    }

    @Test("Paused and resumed before the poll thread looked: records meanwhile dropped; paused, seeked, then resumed")
    func pauseThenResumeQuickly() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1_000_000)
        machine.assigned([p0])
        _ = machine.received(record(p0, 7))
        machine.pause(p0, resumingAt: 7)
        machine.resume(p0)
        _ = machine.received(record(p0, 8))
        #expect(machine.bufferedCount == 0, "fetched before the seek is applied: from the old position, dropped")
        let first = machine.control()
        #expect(first.pause == [p0])
        #expect(first.seek.map(\.1) == [7])
        #expect(machine.control().resume == [p0])
        #expect(machine.control().isEmpty)
    }

    @Test("Commits skip unchanged offsets and retry failed ones")
    func commits() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        _ = machine.received(record(p0, 0))
        guard case .deliver(let first) = machine.next() else { Issue.record("expected a record"); return }
        #expect(machine.offsetsToCommit().isEmpty)
        machine.processed(first)
        #expect(machine.offsetsToCommit().map(\.1) == [1])
        #expect(machine.offsetsToCommit().isEmpty)
        machine.commitFailed([p0])
        #expect(machine.offsetsToCommit().map(\.1) == [1])
        #expect(machine.offsetsToCommit(scope: .all).map(\.1) == [1])
    }

    @Test("A completion from an earlier assignment of the same partition is ignored")
    func staleGeneration() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        _ = machine.received(record(p0, 0))
        guard case .deliver(let old) = machine.next() else { Issue.record("expected a record"); return }
        machine.revoking([p0])
        machine.revoked([p0])
        machine.assigned([p0])
        _ = machine.received(record(p0, 0))
        guard case .deliver = machine.next() else { Issue.record("expected a record"); return }
        machine.processed(old)
        #expect(machine.inFlight() == 1)
        #expect(machine.offsetsToCommit().isEmpty)
    }

    @Test("Finishing ends waiting iterations and drops the buffer")
    func finish() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        _ = machine.received(record(p0, 0))
        _ = machine.finish(.closed)
        #expect(machine.bufferedCount == 0)
        guard case .finished(nil) = machine.next() else { Issue.record("expected the end"); return }
        _ = machine.received(record(p0, 1))
        #expect(machine.bufferedCount == 0)
    }

    /// Hands out and processes offsets `range` of `partition`.
    private func process(_ range: Range<Int64>, of partition: KafkaTopicPartition, in machine: inout KafkaConsumer.StateMachine) {
        for offset in range { _ = machine.received(record(partition, offset)) }
        for _ in range {
            guard case .deliver(let handed) = machine.next() else { Issue.record("expected a record"); return }
            machine.processed(handed)
        }
    }

    /// Hands out offsets `range` of `partition` without processing them.
    private func handOut(_ range: Range<Int64>, of partition: KafkaTopicPartition, in machine: inout KafkaConsumer.StateMachine) -> [KafkaRecord] {
        for offset in range { _ = machine.received(record(partition, offset)) }
        var handed: [KafkaRecord] = []
        for _ in range {
            guard case .deliver(let next) = machine.next() else { Issue.record("expected a record"); break }
            handed.append(next)
        }
        return handed
    }

    /// The assignment of `keys` lost, as the rebalance callback handles it: what was processed is owed.
    private func lose(_ keys: Set<KafkaTopicPartition>, in machine: inout KafkaConsumer.StateMachine) {
        machine.revoking(keys)
        machine.owe(machine.unconfirmedOffsets(among: keys))
        machine.revoked(keys, cooperative: true, lost: true)
    }

    @Test("While the group rebalances, background commits wait for the assignment callback that ends it")
    func backgroundCommitsHeldDuringRebalance() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        process(0..<3, of: p0, in: &machine)
        #expect(machine.offsetsToCommit().map(\.1) == [3])
        machine.commitFailed([p0], rebalancing: true)  // REBALANCE_IN_PROGRESS
        #expect(machine.groupRebalancing)
        #expect(machine.offsetsToCommit().isEmpty, "a background commit now could carry a stale generation")
        #expect(machine.offsetsToCommit(scope: .unconfirmed).map(\.1) == [3], "a commit that must land is still tried")
        machine.commitFailed([p0], rebalancing: true)  // refused too
        machine.assigned([])  // the rebalance ended (cooperative: an assignment callback, maybe empty)
        #expect(!machine.groupRebalancing)
        #expect(machine.offsetsToCommit().map(\.1) == [3])
    }

    @Test("Before a revocation, an offset whose background commit is still in flight is committed again")
    func revocationCommitsWhatIsNotConfirmed() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0, p1])
        process(0..<4, of: p0, in: &machine)
        process(0..<2, of: p1, in: &machine)
        let sent = machine.offsetsToCommit()
        #expect(sent.map(\.1) == [4, 2])
        // The background commit has not answered yet: as sent, not as committed.
        #expect(machine.offsetsToCommit().isEmpty)
        #expect(machine.offsetsToCommit(among: [p0], scope: .unconfirmed).map(\.1) == [4])
        machine.commitConfirmed([(p0, 4)])
        #expect(machine.offsetsToCommit(among: [p0], scope: .unconfirmed).isEmpty)
        #expect(machine.processedUncommitted(among: [p0]) == 0)
        #expect(machine.processedUncommitted(among: [p1]) == 2, "p1's commit is not confirmed: a loss would re-deliver 2")
    }

    @Test("A cooperative revocation starts a rejoin: the assignment callback right after it does not end the rebalance, the next one does")
    func cooperativeRevocationHoldsCommitsUntilTheRejoinEnds() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0, p1])
        process(0..<2, of: p0, in: &machine)
        process(0..<2, of: p1, in: &machine)
        machine.revoking([p1])
        machine.revoked([p1], cooperative: true)
        #expect(machine.groupRebalancing)
        machine.assigned([])  // "cooperative assign after revoke": librdkafka rejoins after it
        #expect(machine.groupRebalancing, "this member's JoinGroup is about to be pending")
        #expect(machine.offsetsToCommit().isEmpty)
        machine.assigned([])  // the rejoin's own end
        #expect(!machine.groupRebalancing)
        #expect(machine.offsetsToCommit().map(\.1) == [2])
    }

    @Test("A lost assignment rejoins without an assignment callback in between; a rebalance believed endless expires")
    func lostAssignmentAndExpiry() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        machine.revoking([p0])
        machine.revoked([p0], cooperative: true, lost: true)
        #expect(machine.groupRebalancing)
        machine.assigned([p0])
        #expect(!machine.groupRebalancing)
        machine.commitFailed([p0], rebalancing: true)
        let start = ContinuousClock.now
        let early = machine.expireRebalance(at: start, after: .seconds(17))
        #expect(!early)
        let late = machine.expireRebalance(at: start.advanced(by: .seconds(18)), after: .seconds(17))
        #expect(late)
        #expect(!machine.groupRebalancing)
    }

    @Test("A commit before revocation refused because the next rebalance began is owed until that rebalance ends")
    func refusedRevocationCommitIsOwed() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0, p1])
        process(0..<5, of: p0, in: &machine)
        process(0..<1, of: p1, in: &machine)
        machine.commitConfirmed([(p1, 1)])
        machine.revoking([p0, p1])
        // The commit before revocation was refused: what p0 processed is owed, p1 is confirmed.
        machine.owe(machine.unconfirmedOffsets(among: [p0, p1]))
        #expect(machine.owed == [p0: 5])
        machine.revoked([p0, p1], cooperative: true)
        let afterRevocation = machine.assigned([])
        #expect(!afterRevocation, "the assignment right after a cooperative revocation does not end the rebalance")
        let rejoined = machine.assigned([])
        #expect(rejoined, "the rejoin's assignment ends it: the owed commit goes now")
        let owed = machine.takeOwed()
        #expect(owed.map(\.1) == [5])
        let again = machine.takeOwed()
        #expect(again.isEmpty)
    }

    @Test("Records of a lost partition that finish after the loss are owed too")
    func lostPartitionLateCompletionsAreOwed() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0])
        process(0..<3, of: p0, in: &machine)
        let late = handOut(3..<6, of: p0, in: &machine)
        lose([p0], in: &machine)  // owed: 3, at the loss
        for record in late { machine.processed(record) }  // they finish afterwards
        let owed = machine.takeOwed()
        #expect(owed.map(\.1) == [6], "what finished after the loss is owed too")
        let again = machine.takeOwed()
        #expect(again.isEmpty)
    }

    @Test("Partitions given back with a commit still owed resume at this member's processed offset unless the group's commit is further")
    func resumptionOfOwedPartitions() {
        typealias Resumption = KafkaConsumer.Resumption
        #expect(Resumption.decide(owed: 48, lost: nil, committed: nil) == .startAt(48), "no commit yet: what was processed")
        #expect(Resumption.decide(owed: 48, lost: nil, committed: 10) == .startAt(48), "the group's commit is older")
        #expect(Resumption.decide(owed: 48, lost: nil, committed: 48) == .groupCommit, "the owed commit landed")
        #expect(Resumption.decide(owed: 48, lost: nil, committed: 60) == .groupCommit, "another owner went further")
        #expect(Resumption.decide(owed: nil, lost: nil, committed: 5) == .groupCommit)
    }

    @Test("A lost assignment with records still in processing carries over when its partition comes back: they count when they finish, fetching restarts after them")
    func lostAssignmentCarriesOver() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 10, maxBufferedBytes: 1000)
        machine.assigned([p0, p1])
        process(0..<3, of: p0, in: &machine)
        let late = handOut(3..<6, of: p0, in: &machine)
        lose([p0, p1], in: &machine)  // owed: p0 at 3, at the loss

        // Both come back; only p0 holds work.
        machine.assigned([p0, p1])
        let held = machine.takeHeld(among: [p0, p1])
        #expect(Array(held.keys) == [p0])
        guard let work = held[p0] else { Issue.record("p0 holds work"); return }
        #expect(work.owed == 3)
        let resumption = KafkaConsumer.Resumption.decide(owed: work.owed, lost: work.lost, committed: nil)
        #expect(resumption == .carryOver(start: 6), "fetching restarts after the last record handed out")
        machine.resume(p0, resumption, lost: work.lost)
        for record in late { machine.processed(record) }  // they finish after the partition came back
        #expect(machine.offsetsToCommit().map(\.1) == [6], "what the lost assignment processed is committed by the new one")
        #expect(machine.takeOwed().isEmpty, "no owed offset left to move the commit back later")

        // The group's commit further than this member went: another owner processed them.
        #expect(KafkaConsumer.Resumption.decide(owed: work.owed, lost: work.lost, committed: 8) == .groupCommit)
    }
}
