@testable import DocRelay
@testable import DocRelayKafka
import Testing

/// Which inboxes a retention check asks their agent's commits about again.
@Suite("Inbox retention: an inbox read to an end that has not moved is not asked about again")
struct FullyReadInboxesTests {
    static let topic = "docrelay.in.000.00.00.H58"

    static func bounds(_ highs: [Int64]) -> [KafkaPartitionOffsets] {
        highs.enumerated().map { KafkaPartitionOffsets(partition: Int32($0.offset), low: 0, high: $0.element) }
    }

    static func unread(_ bounds: [KafkaPartitionOffsets], committed: [Int64?]) -> [KafkaTopicPartition: UnreadRecords] {
        Dictionary(uniqueKeysWithValues: zip(bounds, committed).map {
            (KafkaTopicPartition(topic: topic, partition: $0.0.partition), UnreadRecords.of(low: $0.0.low, high: $0.0.high, committed: $0.1))
        })
    }

    @Test("Read to its end: unasked while its end stays; asked again once a record comes")
    func readToTheEnd() {
        var inboxes = FullyReadInboxes()
        let now = Self.bounds([5, 3])
        #expect(!inboxes.unchanged(Self.topic, now), "never read: asked")
        inboxes.record(Self.topic, bounds: now, unread: Self.unread(now, committed: [5, 3]))
        #expect(inboxes.unchanged(Self.topic, now))
        #expect(!inboxes.unchanged(Self.topic, Self.bounds([6, 3])), "a record came to partition 0")
        #expect(!inboxes.unchanged(Self.topic, Self.bounds([5, 3, 0])), "a partition more")
        #expect(!inboxes.unchanged("docrelay.in.000.00.00.H59", now), "another inbox")
    }

    @Test("Unread, never committed or deleted before it was read: asked every check", arguments: [
        [Int64?](arrayLiteral: 5, 2),  // partition 1: one record unread
        [Int64?](arrayLiteral: 5, nil),  // partition 1: no commit
    ])
    func notReadToTheEnd(committed: [Int64?]) {
        var inboxes = FullyReadInboxes()
        let now = Self.bounds([5, 3])
        inboxes.record(Self.topic, bounds: now, unread: Self.unread(now, committed: committed))
        #expect(!inboxes.unchanged(Self.topic, now))
    }

    @Test("Records deleted unread: asked every check, though nothing is left to read")
    func deletedUnread() {
        var inboxes = FullyReadInboxes()
        let now = [KafkaPartitionOffsets(partition: 0, low: 9, high: 9)]
        let unread = [KafkaTopicPartition(topic: Self.topic, partition: 0): UnreadRecords.of(low: 9, high: 9, committed: 4)]
        #expect(unread.values.first?.deletedUnread == 5)
        inboxes.record(Self.topic, bounds: now, unread: unread)
        #expect(!inboxes.unchanged(Self.topic, now))
    }

    @Test("A partition read to its end, then not: forgotten; an inbox gone from the hub: forgotten")
    func forgetting() {
        var inboxes = FullyReadInboxes()
        let now = Self.bounds([5])
        inboxes.record(Self.topic, bounds: now, unread: Self.unread(now, committed: [5]))
        inboxes.record(Self.topic, bounds: now, unread: Self.unread(now, committed: [4]))
        #expect(!inboxes.unchanged(Self.topic, now))
        inboxes.record(Self.topic, bounds: now, unread: Self.unread(now, committed: [5]))
        inboxes.keep(only: ["docrelay.in.000.00.00.H59"])
        #expect(!inboxes.unchanged(Self.topic, now))
    }
}
