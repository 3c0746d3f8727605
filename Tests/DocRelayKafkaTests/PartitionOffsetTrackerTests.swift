@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Which offset may be committed")
struct PartitionOffsetTrackerTests {
    @Test("In-order processing commits past each record")
    func inOrder() {
        var tracker = PartitionOffsetTracker()
        #expect(tracker.committable == nil)
        for offset in 0..<5 { tracker.handedOut(Int64(offset)) }
        #expect(tracker.inFlight == 5)
        tracker.processed(0)
        #expect(tracker.committable == 1)
        tracker.processed(1)
        tracker.processed(2)
        #expect(tracker.committable == 3)
        #expect(tracker.inFlight == 2)
    }

    @Test("Out-of-order processing waits for the oldest record")
    func outOfOrder() {
        var tracker = PartitionOffsetTracker()
        for offset in 10..<15 { tracker.handedOut(Int64(offset)) }
        tracker.processed(14)
        tracker.processed(12)
        #expect(tracker.committable == nil)
        tracker.processed(10)
        #expect(tracker.committable == 11)
        tracker.processed(11)
        #expect(tracker.committable == 13)
        tracker.processed(13)
        #expect(tracker.committable == 15)
        #expect(tracker.inFlight == 0)
    }

    @Test("Offset gaps (compaction, markers) do not block commits")
    func gaps() {
        var tracker = PartitionOffsetTracker()
        for offset: Int64 in [3, 7, 8, 20] { tracker.handedOut(offset) }
        for offset: Int64 in [20, 8, 7, 3] { tracker.processed(offset) }
        #expect(tracker.committable == 21)
    }

    @Test("Unknown, repeated and stale offsets change nothing")
    func staleInput() {
        var tracker = PartitionOffsetTracker()
        tracker.handedOut(5)
        #expect(tracker.handedOut(4) == false)
        #expect(tracker.handedOut(5) == false)
        #expect(tracker.processed(6) == false)
        let first = tracker.processed(5)
        #expect(first)
        #expect(tracker.processed(5) == false)
        #expect(tracker.committable == 6)
        #expect(tracker.handedOut(3) == false)
    }

    @Test("Rewinding forgets records from the offset on; the commit never passes it")
    func rewind() {
        var tracker = PartitionOffsetTracker()
        for offset in 0..<6 { tracker.handedOut(Int64(offset)) }
        tracker.processed(0)
        tracker.processed(1)
        tracker.processed(4)
        tracker.rewind(to: 3)
        #expect(tracker.inFlight == 1)  // offset 2
        #expect(tracker.nextExpected == 3)
        tracker.processed(2)
        #expect(tracker.committable == 3)
        let again = tracker.handedOut(3)
        #expect(again)
        tracker.processed(3)
        #expect(tracker.committable == 4)
    }
}
