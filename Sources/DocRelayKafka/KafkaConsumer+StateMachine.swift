import DequeModule

extension KafkaConsumer {
    /// The consumer's mutable state, behind one lock. Methods decide; the caller performs the
    /// effects they return after releasing the lock. Tested as a plain value.
    struct StateMachine {
        typealias Waiter = CheckedContinuation<KafkaRecord?, any Error>

        struct Partition {
            var generation: UInt64
            var tracker = PartitionOffsetTracker()
            /// Paused by the application (e.g. a retry not yet due).
            var pausedByApplication = false
            /// Where fetching restarts when the application resumes it.
            var pendingSeek: Int64?
            /// Whether librdkafka currently has it paused.
            var pausedInClient = false
            /// The offset last sent in a commit (or confirmed), to skip needless commits.
            var lastCommitted: Int64?
            /// The offset the broker confirmed as committed.
            var confirmed: Int64?
            /// The first offset handed out in this assignment (where its processing began).
            var firstHandedOut: Int64?
        }

        enum Finish {
            case closed
            case failed(KafkaError)
        }

        let maxBufferedRecords: Int
        let maxBufferedBytes: Int

        private(set) var partitions: [KafkaTopicPartition: Partition] = [:]
        /// Records handed to the application so far (`KafkaRecord.handOutSequence`).
        private var handedOutCount: UInt64 = 0
        private var buffer: Deque<KafkaRecord> = []
        private(set) var bufferedBytes = 0
        private var waiters: Deque<(id: UInt64, continuation: Waiter)> = []
        private var nextGeneration: UInt64 = 1
        /// The buffer is full: the poll thread stops fetching until it drains to half.
        private(set) var backpressure = false
        /// Backpressure ended since the poll thread last looked: it should wake at once.
        private var fetchWakeupPending = false
        /// A pause, resume or seek is waiting to be applied by the poll thread.
        private var controlPending = false
        private(set) var finish: Finish?
        /// Since when the group is known to rebalance, with this member rejoining: a commit
        /// answered `REBALANCE_IN_PROGRESS` (librdkafka rejoins on it), or partitions revoked (a
        /// rejoin follows). Until the assignment callback that ends the rebalance, background
        /// commits wait: a commit sent while this member's JoinGroup is pending is answered only
        /// after it (a broker serves one request of a connection at a time), under the new
        /// generation, so `ILLEGAL_GENERATION`, and librdkafka then drops the whole assignment
        /// as lost (librdkafka issue 4059): nothing processed since the last commit could be
        /// committed any more.
        private(set) var rebalancingSince: ContinuousClock.Instant?
        /// A cooperative revocation was handled: librdkafka now calls the assignment callback
        /// with what the same rebalance added (possibly nothing), then rejoins. That callback
        /// does not end the rebalance; the next one does.
        private var assignmentAfterRevocationDue = false

        var groupRebalancing: Bool { rebalancingSince != nil }
        /// An assignment callback came: librdkafka has its assignor's state (see
        /// `KafkaConsumer.close`).
        private(set) var everAssigned = false
        /// Processed offsets of partitions already revoked whose commit was refused (the next
        /// rebalance had begun): committed at the end of that rebalance, before their next owner
        /// starts (see `KafkaConsumerSettings.handOverGrace`), or at `close()`.
        private(set) var owed: [KafkaTopicPartition: Int64] = [:]
        /// Partitions lost with records still in processing: their records finishing later still
        /// count, so that what they processed is owed too (committed at the rebalance's end).
        private var lostPartitions: [KafkaTopicPartition: Partition] = [:]

        init(maxBufferedRecords: Int, maxBufferedBytes: Int) {
            self.maxBufferedRecords = max(maxBufferedRecords, 1)
            self.maxBufferedBytes = max(maxBufferedBytes, 1)
        }

        var bufferedCount: Int { buffer.count }
        var assignment: Set<KafkaTopicPartition> { Set(partitions.keys) }

        // MARK: Records in

        enum ReceiveAction {
            case none
            case handOver(Waiter, KafkaRecord)
        }

        /// Records fetched together by the poll thread: those handed straight to waiting
        /// `next()` calls, to be resumed after the lock is released.
        mutating func received(_ batch: [KafkaRecord]) -> [(Waiter, KafkaRecord)] {
            var handOvers: [(Waiter, KafkaRecord)] = []
            for record in batch {
                if case .handOver(let waiter, let handed) = received(record) {
                    handOvers.append((waiter, handed))
                }
            }
            return handOvers
        }

        /// Room left in the buffer, in records (at least 1 unless backpressure holds).
        var room: Int { backpressure ? 0 : max(maxBufferedRecords - buffer.count, 1) }

        /// A record fetched by the poll thread.
        mutating func received(_ fetched: KafkaRecord) -> ReceiveAction {
            // Revoked, paused or closing: librdkafka fetches it again. A seek not yet applied
            // (paused, then resumed before the poll thread looked) means it was fetched from the
            // old position: handing it out would let its offset be committed past the seek's.
            guard finish == nil, let partition = partitions[fetched.topicPartition],
                  !partition.pausedByApplication, partition.pendingSeek == nil
            else { return .none }
            var record = fetched
            record.generation = partition.generation
            if let waiter = waiters.popFirst() {
                handOut(&record)
                return .handOver(waiter.continuation, record)
            }
            buffer.append(record)
            bufferedBytes += record.byteCount
            if buffer.count >= maxBufferedRecords || bufferedBytes >= maxBufferedBytes {
                backpressure = true
            }
            return .none
        }

        // MARK: Records out

        enum NextAction {
            case deliver(KafkaRecord)
            case finished(KafkaError?)
            case wait
        }

        /// The application asks for the next record.
        mutating func next() -> NextAction {
            if var record = buffer.popFirst() {
                bufferedBytes -= record.byteCount
                handOut(&record)
                relieveBackpressureIfDrained()
                return .deliver(record)
            }
            switch finish {
            case .closed: return .finished(nil)
            case .failed(let error): return .finished(error)
            case nil: return .wait
            }
        }

        /// Registers a waiting `next()`, unless a record or the end arrived meanwhile.
        mutating func suspend(id: UInt64, _ waiter: Waiter) -> NextAction {
            let action = next()
            if case .wait = action {
                waiters.append((id, waiter))
            }
            return action
        }

        /// A waiting `next()` was cancelled: its continuation, if still waiting.
        mutating func cancel(id: UInt64) -> Waiter? {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index).continuation
        }

        /// Whether the poll thread, waiting for room, should be woken now (reported once).
        mutating func takeFetchWakeup() -> Bool {
            defer { fetchWakeupPending = false }
            return fetchWakeupPending
        }

        private mutating func relieveBackpressureIfDrained() {
            if backpressure, buffer.count <= maxBufferedRecords / 2, bufferedBytes <= maxBufferedBytes / 2 {
                backpressure = false
                fetchWakeupPending = true
            }
        }

        private mutating func handOut(_ record: inout KafkaRecord) {
            record.handOutSequence = handedOutCount
            handedOutCount += 1
            partitions[record.topicPartition]?.tracker.handedOut(record.offset)
            if partitions[record.topicPartition]?.firstHandedOut == nil {
                partitions[record.topicPartition]?.firstHandedOut = record.offset
            }
        }

        /// The application finished a record: its outcome is durable.
        mutating func processed(_ record: KafkaRecord) {
            let key = record.topicPartition
            if partitions[key]?.generation == record.generation {
                partitions[key]?.tracker.processed(record.offset)
            } else if lostPartitions[key]?.generation == record.generation {
                lostPartitions[key]?.tracker.processed(record.offset)
            }
        }

        // MARK: Pause and resume

        /// The application pauses a partition; fetching restarts at `offset` once resumed.
        /// Records of it still buffered are dropped (they are fetched again).
        mutating func pause(_ key: KafkaTopicPartition, resumingAt offset: Int64) {
            guard partitions[key] != nil else { return }
            partitions[key]?.pausedByApplication = true
            partitions[key]?.pendingSeek = offset
            partitions[key]?.tracker.rewind(to: offset)
            dropBuffered { $0 == key }
            controlPending = true
        }

        mutating func resume(_ key: KafkaTopicPartition) {
            guard partitions[key]?.pausedByApplication == true else { return }
            partitions[key]?.pausedByApplication = false
            controlPending = true
        }

        // MARK: Control, applied by the poll thread

        struct Control {
            var pause: [KafkaTopicPartition] = []
            var resume: [KafkaTopicPartition] = []
            var seek: [(KafkaTopicPartition, Int64)] = []

            var isEmpty: Bool { pause.isEmpty && resume.isEmpty && seek.isEmpty }
        }

        /// What librdkafka must be told so its pause state matches the application's wishes.
        /// Backpressure never pauses partitions in librdkafka (that discards its prefetched
        /// records and delays the next fetch): the poll thread simply stops polling.
        mutating func control() -> Control {
            var control = Control()
            guard controlPending else { return control }
            controlPending = false
            for key in partitions.keys {
                guard var partition = partitions[key] else { continue }
                if let seek = partition.pendingSeek {
                    // Seek while paused; the new position takes effect at resume.
                    if !partition.pausedInClient {
                        control.pause.append(key)
                        partition.pausedInClient = true
                    }
                    control.seek.append((key, seek))
                    partition.pendingSeek = nil
                    if !partition.pausedByApplication { controlPending = true }  // resume next pass
                } else if partition.pausedByApplication && !partition.pausedInClient {
                    control.pause.append(key)
                    partition.pausedInClient = true
                } else if !partition.pausedByApplication && partition.pausedInClient {
                    control.resume.append(key)
                    partition.pausedInClient = false
                }
                partitions[key] = partition
            }
            return control
        }

        // MARK: Commits

        /// Which offsets a commit takes.
        enum CommitScope {
            /// The background commit: where processed work advanced past the last commit sent;
            /// nothing while the group is rebalancing.
            case background
            /// A commit that must land now (before a revocation, before leaving): every
            /// processed offset the broker has not confirmed, even if a commit of it is in flight.
            case unconfirmed
            /// Every processed offset (the application's `commit()`).
            case all
        }

        /// Offsets to commit in `scope`, among `keys` (or all partitions), in partition order;
        /// recorded as sent.
        mutating func offsetsToCommit(
            among keys: Set<KafkaTopicPartition>? = nil, scope: CommitScope = .background
        ) -> [(KafkaTopicPartition, Int64)] {
            if scope == .background && groupRebalancing { return [] }
            var result: [(KafkaTopicPartition, Int64)] = []
            for (key, partition) in partitions where keys?.contains(key) ?? true {
                guard let offset = partition.tracker.committable else { continue }
                let needed: Bool
                switch scope {
                case .background: needed = partition.lastCommitted != offset
                case .unconfirmed: needed = partition.confirmed != offset
                case .all: needed = true
                }
                if needed {
                    result.append((key, offset))
                    partitions[key]?.lastCommitted = offset
                }
            }
            return result.sorted { $0.0 < $1.0 }
        }

        /// The broker confirmed these offsets committed.
        mutating func commitConfirmed(_ offsets: [(KafkaTopicPartition, Int64)]) {
            for (key, offset) in offsets where partitions[key] != nil {
                if (partitions[key]?.confirmed ?? Int64.min) < offset { partitions[key]?.confirmed = offset }
            }
        }

        /// A commit failed: these partitions are committed again next time. `rebalancing`: the
        /// broker answered that the group is rebalancing, so background commits wait for its end.
        mutating func commitFailed(_ keys: [KafkaTopicPartition], rebalancing: Bool = false) {
            for key in keys { partitions[key]?.lastCommitted = nil }
            if rebalancing { rebalanceStarted(at: .now) }
        }

        /// Processed records whose offsets are not committed yet, in these partitions: what a
        /// lost assignment makes the next owner consume again.
        func processedUncommitted(among keys: Set<KafkaTopicPartition>) -> Int64 {
            partitions.reduce(0) { sum, entry in
                guard keys.contains(entry.key), let done = entry.value.tracker.committable else { return sum }
                return sum + max(done - (entry.value.confirmed ?? entry.value.firstHandedOut ?? done), 0)
            }
        }

        /// Records handed out and not yet processed, in the given partitions (or all).
        func inFlight(among keys: Set<KafkaTopicPartition>? = nil) -> Int {
            partitions.reduce(0) { sum, entry in
                keys?.contains(entry.key) ?? true ? sum + entry.value.tracker.inFlight : sum
            }
        }

        // MARK: Rebalance

        /// The group is rebalancing and this member rejoins (see `rebalancingSince`).
        mutating func rebalanceStarted(at now: ContinuousClock.Instant) {
            if rebalancingSince == nil { rebalancingSince = now }
        }

        /// A rebalance believed in progress for longer than `limit` is taken as ended (a
        /// callback librdkafka skipped must not stop background commits for good). Returns
        /// whether it expired.
        mutating func expireRebalance(at now: ContinuousClock.Instant, after limit: Duration) -> Bool {
            guard let since = rebalancingSince, now - since > limit else { return false }
            rebalancingSince = nil
            assignmentAfterRevocationDue = false
            return true
        }

        /// The assignment callback: partitions added. librdkafka calls it at the end of every
        /// rebalance (cooperative: with the added partitions, possibly none), which ends it,
        /// except the one that follows a cooperative revocation (see
        /// `assignmentAfterRevocationDue`). Returns whether it ended a rebalance.
        @discardableResult
        mutating func assigned(_ keys: [KafkaTopicPartition]) -> Bool {
            let ends: Bool
            everAssigned = true
            if assignmentAfterRevocationDue {
                assignmentAfterRevocationDue = false
                ends = false
            } else {
                rebalancingSince = nil
                ends = true
            }
            for key in keys where partitions[key] == nil {
                partitions[key] = Partition(generation: nextGeneration)
                nextGeneration += 1
            }
            return ends
        }

        /// The processed offsets among `keys` the broker has not confirmed.
        func unconfirmedOffsets(among keys: Set<KafkaTopicPartition>) -> [(KafkaTopicPartition, Int64)] {
            partitions.compactMap { key, partition in
                guard keys.contains(key), let done = partition.tracker.committable, partition.confirmed != done else { return nil }
                return (key, done)
            }.sorted { $0.0 < $1.0 }
        }

        /// What this member holds of an earlier assignment of each of `keys`: the offset whose
        /// commit it owes, and the lost assignment with records still in processing (taken: its
        /// progress now belongs to the partition's new assignment, see `resume`). The owed
        /// offsets stay, for the commit at the rebalance's end.
        mutating func takeHeld(among keys: [KafkaTopicPartition]) -> [KafkaTopicPartition: (owed: Int64?, lost: Partition?)] {
            var held: [KafkaTopicPartition: (owed: Int64?, lost: Partition?)] = [:]
            for key in keys where owed[key] != nil || lostPartitions[key] != nil {
                held[key] = (owed[key], lostPartitions.removeValue(forKey: key))
            }
            return held
        }

        /// An assigned partition starts as `resumption` says (`KafkaConsumer.Resumption`), with
        /// `lost` the assignment it carries over, if so. Its owed offset is dropped: the new
        /// assignment's tracker commits it, or the group's commit is already as far or further
        /// (committing it later would move the group's commit back).
        mutating func resume(_ key: KafkaTopicPartition, _ resumption: Resumption, lost: Partition?) {
            owed[key] = nil
            guard partitions[key] != nil else { return }
            switch resumption {
            case .carryOver:
                guard let lost else { return }
                partitions[key]?.generation = lost.generation
                partitions[key]?.tracker = lost.tracker
                partitions[key]?.firstHandedOut = lost.firstHandedOut
            case .startAt(let offset):
                partitions[key]?.tracker = PartitionOffsetTracker(resumingAt: offset)
            case .groupCommit:
                break
            }
        }

        /// Offsets whose commit before revocation was refused: to commit once the rebalance ends.
        mutating func owe(_ offsets: [(KafkaTopicPartition, Int64)]) {
            for (key, offset) in offsets { owed[key] = max(owed[key] ?? offset, offset) }
        }

        /// The owed offsets, now handed to a commit.
        /// With what partitions lost meanwhile processed since (records that finished after the
        /// loss).
        mutating func takeOwed() -> [(KafkaTopicPartition, Int64)] {
            for (key, partition) in lostPartitions {
                guard let done = partition.tracker.committable, partition.confirmed != done else { continue }
                owed[key] = max(owed[key] ?? done, done)
            }
            lostPartitions = [:]
            defer { owed = [:] }
            return owed.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        }

        /// Partitions about to be revoked: their buffered records are dropped at once.
        mutating func revoking(_ keys: Set<KafkaTopicPartition>) {
            dropBuffered { keys.contains($0) }
        }

        /// Partitions gone; this member rejoins next: with `cooperative` and not `lost`, after one
        /// more assignment callback (see `assignmentAfterRevocationDue`). Also while `close()`
        /// waits to commit: it must not commit during that rejoin either. (The revocation of
        /// `rd_kafka_consumer_close` itself is followed by no rejoin; nothing commits after it.)
        mutating func revoked(_ keys: Set<KafkaTopicPartition>, cooperative: Bool = false, lost: Bool = false) {
            for key in keys {
                if lost, let partition = partitions[key], partition.tracker.inFlight > 0 {
                    lostPartitions[key] = partition
                }
                partitions[key] = nil
            }
            rebalanceStarted(at: .now)
            if cooperative && !lost { assignmentAfterRevocationDue = true }
        }

        // MARK: End

        /// Ends the record sequence: waiting `next()` calls get the end, buffered records are
        /// dropped (never committed, so fetched again by whoever consumes next).
        mutating func finish(_ reason: Finish) -> [Waiter] {
            if finish == nil { finish = reason }
            buffer.removeAll()
            bufferedBytes = 0
            relieveBackpressureIfDrained()
            let waiting = waiters.map(\.continuation)
            waiters.removeAll()
            return waiting
        }

        private mutating func dropBuffered(where matches: (KafkaTopicPartition) -> Bool) {
            guard buffer.contains(where: { matches($0.topicPartition) }) else { return }
            buffer.removeAll { matches($0.topicPartition) }
            bufferedBytes = buffer.reduce(0) { $0 + $1.byteCount }
            relieveBackpressureIfDrained()
        }
    }
}
