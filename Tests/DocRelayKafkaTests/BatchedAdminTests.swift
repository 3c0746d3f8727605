@testable import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Synchronization
import Testing

/// Requests over many topics at once (issue 16).
@Suite("Admin in batches: topics created in batches, watermarks and lag of many topics at once")
struct BatchedAdminTests {
    /// A cluster that knows `existing`, creates what it is asked, times out the whole request
    /// of the batches numbered in `timeOutRequests` (creating half of them anyway, as a slow
    /// controller does) and answers REQUEST_TIMED_OUT for the topics of `slowTopics` once.
    final class FakeCluster: Sendable {
        let topics: Mutex<Set<String>>
        let requests = Mutex<[[String]]>([])
        let timeOutRequests: Set<Int>
        let slowTopics: Mutex<Set<String>>
        let refused: String?

        init(existing: Set<String>, timeOutRequests: Set<Int> = [], slowTopics: Set<String> = [], refused: String? = nil) {
            topics = Mutex(existing)
            self.timeOutRequests = timeOutRequests
            self.slowTopics = Mutex(slowTopics)
            self.refused = refused
        }

        func existing() -> Set<String> { topics.withLock { $0 } }

        func create(_ batch: [KafkaTopicSpec]) throws -> [String: KafkaError] {
            let number = requests.withLock { requests in
                requests.append(batch.map(\.name))
                return requests.count
            }
            if timeOutRequests.contains(number) {
                topics.withLock { topics in for spec in batch.prefix(batch.count / 2) { topics.insert(spec.name) } }
                throw KafkaError(code: .timedOut, message: "the cluster did not answer within 30s")
            }
            var answers: [String: KafkaError] = [:]
            for spec in batch {
                if spec.name == refused {
                    answers[spec.name] = KafkaError(code: .topicAuthorizationFailed, message: "cannot create topic \(spec.name): denied")
                } else if slowTopics.withLock({ $0.remove(spec.name) }) != nil {
                    answers[spec.name] = KafkaError(code: KafkaError.Code(rawValue: 7), message: "cannot create topic \(spec.name): timed out")
                } else if topics.withLock({ $0.insert(spec.name).inserted }) {
                    answers[spec.name] = KafkaError(code: .noError, message: "created")
                } else {
                    answers[spec.name] = KafkaError(code: .topicAlreadyExists, message: "exists")
                }
            }
            return answers
        }
    }

    private func specs(_ count: Int) -> [KafkaTopicSpec] {
        (0..<count).map { KafkaTopicSpec(name: "docrelay.out.t\($0)", partitions: 1, replicationFactor: 3) }
    }

    @Test("20,009 topics go in requests of 500; what timed out is asked again; a second run creates only what is missing")
    func batchesRetriesIdempotence() async throws {
        let plan = specs(20_009)
        let cluster = FakeCluster(
            existing: ["docrelay.out.t5", "docrelay.out.t20000"], timeOutRequests: [3, 17],
            slowTopics: ["docrelay.out.t42", "docrelay.out.t19999"])
        let creator = TopicBatchCreator(batchSize: 500, attempts: 3, pause: .zero)
        var seen: [KafkaTopicCreationProgress] = []
        let result = try await creator.run(
            plan, existing: { cluster.existing() }, create: { try cluster.create($0) }, progress: { seen.append($0) })
        let requests = cluster.requests.withLock { $0 }
        print("first run: \(result.requests) requests over \(result.attempts) attempts, created \(result.created.count), existed \(result.existing.count); last progress: \(seen.last.map(String.init(describing:)) ?? "none")")
        #expect(requests.allSatisfy { $0.count <= 500 })
        #expect(requests.first?.count == 500)
        #expect(result.failed.isEmpty)
        #expect(result.created.count == 20_007)
        #expect(Set(result.created).count == 20_007, "no topic counted twice")
        #expect(Set(result.existing) == ["docrelay.out.t5", "docrelay.out.t20000"])
        #expect(!requests.joined().contains("docrelay.out.t5"), "what exists is never asked for")
        #expect(cluster.existing() == Set(plan.map(\.name)))
        #expect(result.attempts == 2)
        // The second attempt asked only for what had timed out and was still missing: half of
        // two batches, and the two slow topics.
        #expect(requests.count == 41 + 2)
        #expect(seen.last?.settled == 20_009)

        let again = FakeCluster(existing: cluster.existing())
        let second = try await creator.run(plan, existing: { again.existing() }, create: { try again.create($0) })
        #expect(second.created.isEmpty && second.existing.count == 20_009 && second.requests == 0)
    }

    @Test("What keeps timing out is reported after the last attempt, with the topics created kept")
    func gaveUp() async throws {
        let cluster = FakeCluster(existing: [], timeOutRequests: Set(1...100))
        let result = try await TopicBatchCreator(batchSize: 100, attempts: 3, pause: .zero).run(
            specs(250), existing: { cluster.existing() }, create: { try cluster.create($0) })
        #expect(result.attempts == 3)
        #expect(!result.failed.isEmpty)
        #expect(result.failed.values.allSatisfy { $0.code == .timedOut })
        let accounted = setDifference(Set(result.created).union(result.failed.keys), specs(250).map(\.name))
        #expect(accounted.isEmpty, "\(accounted)")
        let created = setDifference(result.created, cluster.existing())
        #expect(created.isEmpty, "what the timed-out requests created is counted as created: \(created)")
    }

    @Test("A refusal waiting cannot cure ends it at once, naming the topic")
    func refusal() async throws {
        let cluster = FakeCluster(existing: [], refused: "docrelay.out.t7")
        let error = try await #require(throws: KafkaError.self) {
            try await TopicBatchCreator(batchSize: 5, attempts: 3, pause: .zero).run(
                specs(20), existing: { cluster.existing() }, create: { try cluster.create($0) })
        }
        #expect(error.code == .topicAuthorizationFailed)
        #expect(error.message.contains("docrelay.out.t7"))
    }

    @Test("Watermarks and lag of 2,000 topics in a few requests, equal to the per-topic answers")
    func batchedLag() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let prefix = uniqueName("lag")
        let names = (0..<2_000).map { "\(prefix).\($0)" }
        for name in names { try cluster.createTopic(name, partitions: 1) }
        try cluster.createTopic("\(prefix).three", partitions: 3)
        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        var records = (0..<30).map { KafkaProducerRecord(topic: names[$0 * 7], key: nil, value: [UInt8($0)]) }
        records += (0..<6).map { KafkaProducerRecord(topic: "\(prefix).three", partition: Int32($0 % 3), key: nil, value: [1]) }
        _ = try await sendAll(records, with: producer)
        await producer.close()

        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: testLogger)
        let topics = try await admin.listTopics().filter { $0.name.hasPrefix(prefix) }
        #expect(topics.count == 2_001)
        let clock = ContinuousClock()
        let start = clock.now
        let group = uniqueName("group")
        let lag = try await admin.lag(group: group, topics: topics)
        print("lag of 2,001 topics (2,003 partitions) in one batch: \(clock.now - start)")
        #expect(lag.count == 2_001)
        #expect(lag.values.reduce(0, +) == 36)
        #expect(lag[names[7]] == 1 && lag[names[8]] == 0 && lag["\(prefix).three"] == 6)
        for name in [names[0], names[1], "\(prefix).three"] {
            #expect(try await admin.lag(group: group, topic: name).values.reduce(0, +) == lag[name], "as the per-topic answer")
        }

        let consumer = try KafkaConsumer(settings: .test(cluster, group: group), logger: testLogger)
        try consumer.subscribe(topics: [names[0], names[7]])
        _ = try await consumer.take(2)
        try await consumer.commit()
        await consumer.close()
        let after = try await admin.lag(group: group, topics: topics)
        #expect(after[names[0]] == 0 && after[names[7]] == 0)
        #expect(after.values.reduce(0, +) == 34)
    }

    @Test("A cancelled wait for a blocking call returns while the call still blocks")
    func cancellable() async throws {
        // The blocking call ends only when the test lets it (or after 60 s, should the wait not
        // end on cancellation): whether the wait returned first is told by a flag, not a clock.
        let release = DispatchSemaphore(value: 0)
        let finished = Flag()
        let task = Task {
            try await runBlockingCancellable { () -> Int in
                _ = release.wait(timeout: .now() + 60)
                finished.value.store(true, ordering: .releasing)
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let ended = finished.value.load(ordering: .acquiring)
        #expect(!ended, "the wait returned before the blocking call ended")
        release.signal()
    }
}

/// A flag set by a blocking call on another thread.
private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
