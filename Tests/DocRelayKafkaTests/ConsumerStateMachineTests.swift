@testable import DocRelayKafka
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

    @Test("A full buffer pauses every partition; draining to half resumes them")
    func backpressure() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 4, maxBufferedBytes: 1_000_000)
        machine.assigned([p0, p1])
        for offset in 0..<4 { _ = machine.received(record(p0, Int64(offset))) }
        #expect(machine.backpressure)
        #expect(Set(machine.control().pause) == [p0, p1])
        #expect(machine.control().isEmpty)  // already applied
        guard case .deliver = machine.next() else { Issue.record("expected a record"); return }
        #expect(machine.backpressure)
        guard case .deliver = machine.next() else { Issue.record("expected a record"); return }
        #expect(!machine.backpressure)
        #expect(Set(machine.control().resume) == [p0, p1])
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

    @Test("An application pause drops buffered records, seeks, and stays paused through backpressure")
    func applicationPause() {
        var machine = KafkaConsumer.StateMachine(maxBufferedRecords: 2, maxBufferedBytes: 1_000_000)
        machine.assigned([p0, p1])
        _ = machine.received(record(p0, 0))
        _ = machine.received(record(p0, 1))
        #expect(machine.backpressure)
        _ = machine.control()
        machine.pause(p0, resumingAt: 0)
        #expect(machine.bufferedCount == 0)
        #expect(!machine.backpressure)
        let control = machine.control()
        #expect(control.seek.map(\.0) == [p0])
        #expect(control.seek.map(\.1) == [0])
        #expect(control.resume == [p1])  // p0 stays paused
        _ = machine.received(record(p0, 0))
        #expect(machine.bufferedCount == 0, "records of a paused partition are dropped")
        machine.resume(p0)
        #expect(machine.control().resume == [p0])
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
        #expect(machine.offsetsToCommit(force: true).map(\.1) == [1])
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
}
