import DocRelayCore
import DocRelayKafka
import Foundation

/// The retry consumer's decisions, as a value: which record is due, which partition's lane a
/// worker takes next, when the dispatcher must wait, what a shutdown abandons. No Kafka, no
/// clock, no tasks: `RetryLaneRunner` performs what it returns.
///
/// - One lane per `KafkaTopicPartition`, made on its first record and dropped when empty: a
///   queue of at most `laneCapacity` records, handled in offset order, one at a time.
/// - Workers take the head record of a lane that is not busy, oldest-ready first, so at most one
///   record per partition is in processing and partitions take turns.
/// - A record that is not due (`dr-not-before` after now) is not queued: its partition is paused
///   at it (`Admission.pause`). Records before it in the lane go on; the consumer hands out
///   nothing of that partition until it is resumed, then the same record again.
struct RetryLanes {
    /// Records queued per partition before the dispatcher waits (at least 1).
    let laneCapacity: Int
    private var lanes: [KafkaTopicPartition: Lane] = [:]
    /// Partitions with queued records and no record in processing, in the order they became so.
    private var ready: [KafkaTopicPartition] = []
    /// Once closed: per partition, the first offset abandoned (where the consumer must resume).
    private var abandoned: [KafkaTopicPartition: Int64] = [:]
    private(set) var isClosed = false

    private struct Lane {
        var queue: [KafkaRecord] = []  // short (at most `laneCapacity`): an array will do
        var busy = false
    }

    init(laneCapacity: Int) {
        self.laneCapacity = max(laneCapacity, 1)
    }

    /// Records queued in every lane (not counting those in processing).
    var queuedCount: Int { lanes.values.reduce(0) { $0 + $1.queue.count } }

    // MARK: Due or not

    enum Admission: Equatable {
        /// Due: queue it.
        case handle
        /// Not due: pause `partition` so that it resumes at `offset`, and resume it after `wait`.
        case pause(KafkaTopicPartition, offset: Int64, wait: Duration)
    }

    /// Whether `record` is due at `now`. A record without a readable `dr-not-before` is due.
    /// The wait is rounded up to the next millisecond.
    static func admit(_ record: KafkaRecord, now: Date) -> Admission {
        guard let due = record.headers.string(named: HeaderName.notBefore).flatMap(RFC3339.parse), due > now else {
            return .handle
        }
        let milliseconds = Int64((due.timeIntervalSince(now) * 1000).rounded(.up))
        return .pause(record.topicPartition, offset: record.offset, wait: .milliseconds(max(milliseconds, 1)))
    }

    // MARK: Dispatcher

    enum Offer: Equatable {
        /// Queued; `wakeWorker`: its lane became ready, so one waiting worker should look.
        case queued(wakeWorker: Bool)
        /// Its lane is full: wait until a worker takes from it (`Take.madeRoom`), then offer again.
        case full
        /// Closed: not queued. `resumeAt`: pause the partition there so the record is not
        /// tracked (nil when an earlier record of the partition was abandoned already).
        case abandoned(resumeAt: Int64?)
    }

    /// The dispatcher hands over a due record.
    mutating func offer(_ record: KafkaRecord) -> Offer {
        let key = record.topicPartition
        guard !isClosed else { return .abandoned(resumeAt: abandon(key, from: record.offset)) }
        var lane = lanes[key] ?? Lane()
        guard lane.queue.count < laneCapacity else { return .full }
        lane.queue.append(record)
        let becameReady = !lane.busy && lane.queue.count == 1
        lanes[key] = lane
        if becameReady { ready.append(key) }
        return .queued(wakeWorker: becameReady)
    }

    // MARK: Workers

    enum Take: Equatable {
        /// Handle `record`, then call `finished(_:)` with its partition. `madeRoom`: its lane
        /// was full, so a waiting dispatcher may offer again.
        case work(KafkaRecord, madeRoom: Bool)
        /// Nothing ready: wait for a `queued(wakeWorker: true)`.
        case wait
        /// Closed: stop.
        case stop
    }

    /// A worker asks for a record.
    mutating func take() -> Take {
        if isClosed { return .stop }
        guard !ready.isEmpty else { return .wait }
        let key = ready.removeFirst()
        guard var lane = lanes[key], !lane.queue.isEmpty else { return .wait }
        let record = lane.queue.removeFirst()
        let madeRoom = lane.queue.count + 1 == laneCapacity
        lane.busy = true
        lanes[key] = lane
        return .work(record, madeRoom: madeRoom)
    }

    /// A worker finished a record of `key` (processed, or failed). Returns whether the lane is
    /// ready again, so that one waiting worker should look.
    mutating func finished(_ key: KafkaTopicPartition) -> Bool {
        guard var lane = lanes[key] else { return false }
        lane.busy = false
        if lane.queue.isEmpty {
            lanes[key] = nil
            return false
        }
        lanes[key] = lane
        if isClosed { return false }
        ready.append(key)
        return true
    }

    // MARK: Shutdown

    /// Stops handing out work: records in processing finish, queued ones are abandoned.
    /// Returns, per partition, the offset to pause at so that the abandoned records are no
    /// longer tracked (they are fetched again by the next owner). Idempotent.
    mutating func close() -> [KafkaTopicPartition: Int64] {
        guard !isClosed else { return [:] }
        isClosed = true
        ready.removeAll()
        var resumeAt: [KafkaTopicPartition: Int64] = [:]
        for (key, lane) in lanes {
            if let first = lane.queue.first, let offset = abandon(key, from: first.offset) { resumeAt[key] = offset }
            lanes[key]?.queue.removeAll()
        }
        return resumeAt
    }

    /// Records `offset` as abandoned; the offset to pause at, unless an earlier one was.
    private mutating func abandon(_ key: KafkaTopicPartition, from offset: Int64) -> Int64? {
        if let earlier = abandoned[key], earlier <= offset { return nil }
        abandoned[key] = offset
        return offset
    }
}
