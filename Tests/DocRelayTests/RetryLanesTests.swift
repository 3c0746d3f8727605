@testable import DocRelay
import DocRelayCore
import DocRelayKafka
import Foundation
import Testing

@Suite("Retry lanes: the retry consumer's decisions, as a value")
struct RetryLanesTests {
    static let p0 = KafkaTopicPartition(topic: "docrelay.retry.5s", partition: 0)
    static let p1 = KafkaTopicPartition(topic: "docrelay.retry.5s", partition: 1)
    static let q0 = KafkaTopicPartition(topic: "docrelay.retry.1m", partition: 0)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func record(_ partition: KafkaTopicPartition, _ offset: Int64, notBefore: String? = nil) -> KafkaRecord {
        KafkaRecord(
            topic: partition.topic, partition: partition.partition, offset: offset, key: nil, value: [],
            headers: notBefore.map { [KafkaHeader(name: HeaderName.notBefore, string: $0)] } ?? [])
    }

    struct DueCase: Sendable, CustomTestStringConvertible {
        let notBefore: String?
        let expected: RetryLanes.Admission
        var testDescription: String { "dr-not-before \(notBefore ?? "absent")" }
    }

    static let dueCases: [DueCase] = [
        DueCase(notBefore: nil, expected: .handle),
        DueCase(notBefore: "2027-01-15T07:59:59.000Z", expected: .handle),  // a second before now
        DueCase(notBefore: RFC3339.format(now, fractionalDigits: 3), expected: .handle),  // exactly now
        DueCase(notBefore: "not a time", expected: .handle),
        DueCase(notBefore: RFC3339.format(now.addingTimeInterval(5), fractionalDigits: 3), expected: .pause(p0, offset: 7, wait: .milliseconds(5000))),
        DueCase(notBefore: RFC3339.format(now.addingTimeInterval(0.0004), fractionalDigits: 3), expected: .handle),  // rounds to now
        DueCase(notBefore: RFC3339.format(now.addingTimeInterval(90), fractionalDigits: 0), expected: .pause(p0, offset: 7, wait: .seconds(90))),
    ]

    @Test("Due or not: a record not due pauses its partition at its offset for the time left", arguments: dueCases)
    func due(_ due: DueCase) {
        #expect(RetryLanes.admit(record(Self.p0, 7, notBefore: due.notBefore), now: Self.now) == due.expected)
    }

    @Test("Within a partition: one record at a time, in offset order; partitions take turns")
    func orderWithinPartition() {
        var lanes = RetryLanes(laneCapacity: 8)
        #expect(lanes.offer(record(Self.p0, 0)) == .queued(wakeWorker: true))
        #expect(lanes.offer(record(Self.p0, 1)) == .queued(wakeWorker: false), "the lane is ready already")
        #expect(lanes.offer(record(Self.p1, 0)) == .queued(wakeWorker: true))
        #expect(lanes.offer(record(Self.q0, 4)) == .queued(wakeWorker: true))
        #expect(lanes.take() == .work(record(Self.p0, 0), madeRoom: false))
        #expect(lanes.take() == .work(record(Self.p1, 0), madeRoom: false))
        #expect(lanes.take() == .work(record(Self.q0, 4), madeRoom: false))
        #expect(lanes.take() == .wait, "p0's next waits for p0's first to finish")
        #expect(lanes.finished(Self.p1) == false, "p1 has nothing more")
        #expect(lanes.take() == .wait)
        #expect(lanes.finished(Self.p0) == true)
        #expect(lanes.take() == .work(record(Self.p0, 1), madeRoom: false))
        #expect(lanes.offer(record(Self.p0, 2)) == .queued(wakeWorker: false), "p0 is busy: ready once it finishes")
        #expect(lanes.take() == .wait)
        #expect(lanes.finished(Self.p0) == true)
        #expect(lanes.take() == .work(record(Self.p0, 2), madeRoom: false))
    }

    @Test("A full lane makes the dispatcher wait until a worker takes from it; other lanes are not limited by it")
    func backpressure() {
        var lanes = RetryLanes(laneCapacity: 2)
        #expect(lanes.offer(record(Self.p0, 0)) == .queued(wakeWorker: true))
        #expect(lanes.offer(record(Self.p0, 1)) == .queued(wakeWorker: false))
        #expect(lanes.offer(record(Self.p0, 2)) == .full)
        #expect(lanes.offer(record(Self.p1, 0)) == .queued(wakeWorker: true))
        #expect(lanes.queuedCount == 3)
        #expect(lanes.take() == .work(record(Self.p0, 0), madeRoom: true))
        #expect(lanes.offer(record(Self.p0, 2)) == .queued(wakeWorker: false))
        #expect(lanes.offer(record(Self.p0, 3)) == .full)
    }

    @Test("Closing stops workers, abandons queued records and says where each partition resumes")
    func close() {
        var lanes = RetryLanes(laneCapacity: 4)
        for offset in 10..<13 { _ = lanes.offer(record(Self.p0, Int64(offset))) }
        _ = lanes.offer(record(Self.p1, 3))
        #expect(lanes.take() == .work(record(Self.p0, 10), madeRoom: false))
        #expect(lanes.take() == .work(record(Self.p1, 3), madeRoom: false))
        #expect(lanes.close() == [Self.p0: 11], "p1 has nothing queued; its record in processing finishes")
        #expect(lanes.queuedCount == 0)
        #expect(lanes.take() == .stop)
        #expect(lanes.finished(Self.p0) == false)
        #expect(lanes.offer(record(Self.p0, 13)) == .abandoned(resumeAt: nil), "p0 resumes at 11 already")
        #expect(lanes.offer(record(Self.p1, 4)) == .abandoned(resumeAt: 4))
        #expect(lanes.offer(record(Self.p1, 5)) == .abandoned(resumeAt: nil))
        #expect(lanes.close() == [:], "idempotent")
    }
}
