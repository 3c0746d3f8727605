@testable import DocRelayKafka
import DocRelayTestSupport
import Testing

@Suite("Topic reader: a whole topic without a consumer group")
struct TopicReaderTests {
    private func produce(_ records: [KafkaProducerRecord], to cluster: EmbeddedKafkaCluster) async throws -> [KafkaDeliveryReport] {
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        let reports = try await sendAll(records, with: producer)
        await producer.close()
        return reports
    }

    @Test("Every record comes back byte for byte, where the broker put it, sorted by partition and offset")
    func readsEveryRecord() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("reader")
        try cluster.createTopic(topic, partitions: 3)
        // More records than a batch, of every shape a header can take.
        let sent: [KafkaProducerRecord] = (0..<1_200).map { index in
            KafkaProducerRecord(
                topic: topic, key: index % 50 == 0 ? nil : Array("doc-\(index)".utf8),
                value: pseudoRandomBytes(count: (index * 13) % 700, seed: UInt64(index)),
                headers: [
                    KafkaHeader(name: "dr-id", string: "doc-\(index)"),
                    KafkaHeader(name: "dr-hop", string: "h58/relay-1/2026-11-29T01:00:00Z"),
                    KafkaHeader(name: "dr-hop", string: "national/relay-2/2026-11-29T01:00:01Z"),
                    KafkaHeader(name: "empty", value: []),
                    KafkaHeader(name: "absent", value: nil),
                ])
        }
        let reports = try await produce(sent, to: cluster)

        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        let read = try await within(.seconds(60), "reading \(topic)") { try await reader.readAll(topic) }
        await reader.close()

        #expect(read.count == sent.count)
        #expect(read.map { "\($0.partition)@\($0.offset)" } == reports
            .sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
            .map { "\($0.partition)@\($0.offset)" })
        #expect(Set(read.map(\.partition)) == [0, 1, 2], "the records spread over the three partitions")
        let byPlace = Dictionary(uniqueKeysWithValues: read.map { ("\($0.partition)@\($0.offset)", $0) })
        for (index, record) in sent.enumerated() {
            let got = try #require(byPlace["\(reports[index].partition)@\(reports[index].offset)"], "record \(index)")
            #expect(got.topic == topic)
            #expect(got.key == record.key, "key of record \(index)")
            #expect(got.value == record.value, "value of record \(index)")
            #expect(got.headers == record.headers, "headers of record \(index)")
        }
    }

    @Test("A read ends at the watermarks it started with: what is produced meanwhile is not part of it")
    func endsAtTheStartingWatermarks() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("reader-moving")
        try cluster.createTopic(topic, partitions: 2)
        _ = try await produce((0..<10).map {
            KafkaProducerRecord(topic: topic, partition: Int32($0 % 2), key: nil, value: [UInt8($0)])
        }, to: cluster)

        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        let values = try await within(.seconds(60), "reading \(topic)") {
            var iterator = reader.records(of: topic).makeAsyncIterator()
            var values: [UInt8] = []
            // The first record means the read has taken its watermarks.
            if let first = try await iterator.next() { values += first.value }
            _ = try await produce((10..<20).map {
                KafkaProducerRecord(topic: topic, partition: Int32($0 % 2), key: nil, value: [UInt8($0)])
            }, to: cluster)
            while let record = try await iterator.next() { values += record.value }
            return values
        }
        #expect(values.sorted() == Array(0..<10))

        // A second read with the same reader sees all twenty.
        let again = try await within(.seconds(60), "reading \(topic) again") { try await reader.readAll(topic) }
        #expect(again.map { $0.value[0] }.sorted() == Array(0..<20))
        await reader.close()
    }

    @Test("An empty topic reads as no record, at once")
    func emptyTopic() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("reader-empty")
        try cluster.createTopic(topic, partitions: 4)
        // A stall timeout of 10 minutes, and a bound of 5: a reader that waited for records that
        // cannot come fails, and one slowed by the whole suite on two cores does not (31 s once,
        // against a bound of 25 s under the 30 s default).
        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger, stallTimeout: .seconds(600))
        let clock = ContinuousClock()
        let start = clock.now
        let read = try await within(.seconds(660), "reading \(topic)") { try await reader.readAll(topic) }
        #expect(read.isEmpty)
        #expect(clock.now - start < .seconds(300), "no waiting for records that cannot come")
        #expect(try await reader.watermarks(of: topic).map(\.high) == [0, 0, 0, 0])
        await reader.close()
    }

    @Test("A topic that does not exist: unknownTopicOrPartition, naming it")
    func unknownTopic() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        let error = try await #require(throws: KafkaError.self) {
            try await within(.seconds(30), "reading a missing topic") { try await reader.readAll("docrelay.no-such-topic") }
        }
        #expect(error.code == .unknownTopicOrPartition)
        #expect(error.message.contains("docrelay.no-such-topic"))
        let watermarkError = try await #require(throws: KafkaError.self) {
            try await reader.watermarks(of: "docrelay.no-such-topic")
        }
        #expect(watermarkError.code == .unknownTopicOrPartition)
        // The reader is free again after the failure.
        let topic = uniqueName("reader-after")
        try cluster.createTopic(topic, partitions: 1)
        #expect(try await reader.readAll(topic).isEmpty)
        await reader.close()
    }

    @Test("Two reads at once on one reader: the second is refused, the first completes")
    func oneReadAtATime() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("reader-busy")
        try cluster.createTopic(topic, partitions: 1)
        _ = try await produce((0..<3).map { KafkaProducerRecord(topic: topic, key: nil, value: [UInt8($0)]) }, to: cluster)
        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        var first = reader.records(of: topic).makeAsyncIterator()
        let firstRecord = try await first.next()
        #expect(firstRecord?.value == [0])
        let error = try await #require(throws: KafkaError.self) { try await reader.readAll(topic) }
        #expect(error.message.contains("already reading"))
        var rest: [UInt8] = []
        while let record = try await first.next() { rest += record.value }
        #expect(rest == [1, 2])
        #expect(try await reader.readAll(topic).count == 3, "free again once the first read ended")
        await reader.close()
    }
}

extension TopicReaderTests {
    @Test("Reads one after the other with one reader: the reader is free as soon as each ends")
    func consecutiveReads() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let full = uniqueName("reader-full")
        let empty = uniqueName("reader-none")
        try cluster.createTopic(full, partitions: 2)
        try cluster.createTopic(empty, partitions: 1)
        _ = try await produce((0..<4).map { KafkaProducerRecord(topic: full, key: nil, value: [UInt8($0)]) }, to: cluster)
        let reader = try await KafkaTopicReader.connect(settings: cluster.settings, logger: testLogger)
        for round in 0..<25 {
            let records = try await within(.seconds(30), "round \(round)") { try await reader.readAll(full) }
            #expect(records.count == 4, "round \(round)")
            let none = try await within(.seconds(30), "round \(round)") { try await reader.readAll(empty) }
            #expect(none.isEmpty, "round \(round)")
            let missing = await #expect(throws: KafkaError.self) { try await reader.readAll("no-such-topic") }
            #expect(missing?.code == .unknownTopicOrPartition, "round \(round)")
        }
        await reader.close()
    }
}

@Suite("Topic reader progress, as a plain value")
struct TopicReaderProgressTests {
    private func offsets(_ ranges: [(Int64, Int64)]) -> [KafkaPartitionOffsets] {
        ranges.enumerated().map { KafkaPartitionOffsets(partition: Int32($0.offset), low: $0.element.0, high: $0.element.1) }
    }

    @Test("Empty partitions are done at once; a partition ends with its last record before the watermark")
    func endsAtTheWatermark() {
        var progress = KafkaTopicReader.Progress(offsets([(0, 0), (5, 7), (3, 3)]))
        #expect(progress.remaining.keys.sorted() == [1])
        let unread = progress.accept(partition: 0, offset: 0)
        let beforeLow = progress.accept(partition: 1, offset: 4)
        let first = progress.accept(partition: 1, offset: 5)
        let again = progress.accept(partition: 1, offset: 5)
        #expect(!unread, "a partition not read")
        #expect(!beforeLow, "before the low watermark")
        #expect(first)
        #expect(!again, "seen already")
        #expect(!progress.isFinished)
        let noneFinished = progress.takeFinished()
        #expect(noneFinished.isEmpty)
        let last = progress.accept(partition: 1, offset: 6)
        #expect(last)
        #expect(progress.isFinished)
        let finished = progress.takeFinished()
        let finishedAgain = progress.takeFinished()
        #expect(finished == [1])
        #expect(finishedAgain.isEmpty)
        let later = progress.accept(partition: 1, offset: 7)
        #expect(!later, "produced after the start")
    }

    @Test("A record past the watermark or the partition's end finishes it (gaps in offsets)")
    func gaps() {
        var progress = KafkaTopicReader.Progress(offsets([(0, 10), (0, 4)]))
        let inside = progress.accept(partition: 0, offset: 2)
        let past = progress.accept(partition: 0, offset: 12)
        #expect(inside)
        #expect(!past)
        let finished = progress.takeFinished()
        #expect(finished == [0])
        progress.reachedEnd(partition: 1, offset: 3)
        #expect(!progress.isFinished, "an end before the watermark is not the end of the read")
        progress.reachedEnd(partition: 1, offset: 4)
        #expect(progress.isFinished)
    }
}
