@testable import DocRelayAgent
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Testing

/// The agent produces each recorded document once. A request publishes what it just recorded
/// while the agent's pass over leftovers (every 15 s) may find the same record queued: before,
/// both produced it, and a large document's segments reached its out topic interleaved
/// (0, 1, 2, 0, 1, 2, 3, …), as a clean-clone run of `SegmentSendingTests.sendEdoc` showed.
@Suite("The agent publishes each document once")
struct OutboxPublicationTests {
    @Test("Two publications of one queued 1.5 MiB document at once, one of a copy read before it was published, and the pass over leftovers: its three segments once")
    func oncePerDocument() async throws {
        let cluster = try SegmentSendingTests.cluster()
        let fixture = try AgentFixture(bootstrap: cluster.bootstrapServers, agency: AgentFixture.sender, yaml: "send: {}\nreceive: { inbox: inbox }")
        let setup = fixture.setup
        let store = try AgentStore(folder: fixture.path("state"))
        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: setup.kafka), logger: testLogger)
        let outbox = DocumentOutbox(
            store: store, producer: producer,
            preparer: DocumentPreparer(agency: setup.code, identity: setup.identity, directory: setup.directory, trust: setup.trust),
            topics: setup.topics, logger: testLogger)
        let value = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let submission = DocumentSubmission(
            value: value,
            metadata: .unsigned(id: "once-1", kind: nil, to: [AgentFixture.recipient], ref: nil, contentType: "application/octet-stream"))
        var record = try await outbox.take(submission, source: .http)
        record.value = nil

        async let first = outbox.publish(record, value: value)
        async let second = outbox.publish(record, value: value)
        async let leftovers: Void = outbox.publishLeftovers()
        let (one, two, _) = try await (first, second, leftovers)
        #expect(one.state == .published && two.state == .published)
        // `record` is the copy read while it was queued.
        #expect(try await outbox.publish(record, value: value).state == .published)
        try await outbox.publishLeftovers()

        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        let records = try await reader.readAll(SegmentSendingTests.outTopic)
        #expect(records.map { $0.headers.string(named: HeaderName.segment) } == ["0/3", "1/3", "2/3"])
        #expect(byteDifference(records.flatMap(\.value), value) == nil)
        await producer.close()
    }
}
