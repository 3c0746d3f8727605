@testable import DocRelayAgent
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// The receiver under a real consumer (issue 13): while a document in segments is unfinished,
/// the group's committable offset stays at its first segment, even past later records that are
/// done; once it is delivered, everything read is committed.
@Suite("The agent commits past a large document's first segment only once the document is delivered")
struct SegmentOffsetTests {
    @Test("Three of six segments, then a small document: the small one is delivered, nothing is committable; the rest: all seven")
    func heldOffsets() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = "docrelay.in.000.00.00.H58"
        try cluster.createTopic(topic, partitions: 1)
        let fixture = try AgentFixture(bootstrap: cluster.bootstrapServers)
        let state = fixture.setup.configuration.stateFolder
        let receiver = DocumentReceiver(
            setup: fixture.setup, store: try AgentStore(folder: state), inbox: InboxFolder(root: fixture.path("inbox")), webhook: nil,
            statuses: nil, parked: ParkedDocuments(root: state), status: AgentStatus(), logger: testLogger)
        var settings = KafkaConsumerSettings.test(cluster, group: uniqueName("agent"))
        settings.commitInterval = .seconds(3_600)  // only the test's commits
        let consumer = try await KafkaConsumer.connect(settings: settings, logger: testLogger)
        let running = Task { try await receiver.run(consumer: consumer) }
        defer { running.cancel() }

        let large = pseudoRandomBytes(count: 3 * 1_048_576, seed: 3)
        let segments = try fixture.records(large, id: "big-offsets")
        let small = try fixture.records(Array("Công văn nhỏ".utf8), id: "small-1")
        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        func produce(_ records: [KafkaRecord]) async throws {
            for record in records {
                try await producer.send(KafkaProducerRecord(topic: topic, key: record.key, value: record.value, headers: record.headers))
            }
        }
        try await produce(Array(segments[0..<3]) + small)
        try await within(.seconds(60), "the small document delivered") {
            while !fixture.files("inbox").contains("small-1.pdf") { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(fixture.files("state/partial").count == 1)
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        #expect(try await consumer.commit()[partition] == nil)

        try await produce(Array(segments[3...]))
        try await within(.seconds(60), "the large document delivered") {
            while !fixture.files("inbox").contains("big-offsets.pdf") { try await Task.sleep(for: .milliseconds(50)) }
        }
        // Marked right after the delivery: wait for the commit to name them all.
        let committed = try await within(.seconds(30), "offset 7 committable") {
            while true {
                if let offset = try await consumer.commit()[partition], offset == 7 { return offset }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(committed == 7)
        #expect(byteDifference(FileManager.default.contents(atPath: fixture.path("inbox/big-offsets.pdf")), large) == nil)
        #expect(fixture.files("state/partial").isEmpty)
        await producer.close()
        running.cancel()
        await consumer.close()
    }
}
