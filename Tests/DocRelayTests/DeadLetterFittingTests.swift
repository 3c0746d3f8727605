@testable import DocRelay
import DocRelayCore
@testable import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// Issue 10: a dead letter must always fit under the producer's record limit, whatever the
/// record's headers, and a refusal must lead to a smaller record or a halt, never a loop.
@Suite("Dead letters: always under the producer's record limit")
struct DeadLetterFittingTests {
    static let topics = TopicNames()
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    private func original(headers: [KafkaHeader], value: [UInt8]) -> KafkaRecord {
        KafkaRecord(topic: "docrelay.out.000.00.00.G22", partition: 2, offset: 41, key: Array("poison".utf8), value: value, headers: headers)
    }

    private func size(_ record: KafkaProducerRecord) -> Int {
        DeadLetter.wireSize(key: record.key, valueBytes: record.value.count, headers: record.headers)
    }

    @Test("Issue 10's poison record (dr-signature AAAA, ten 120 KB unknown headers): contract headers kept, the rest named in dr-dropped-headers")
    func poison() throws {
        let contract = [
            KafkaHeader(name: HeaderName.id, string: "poison-1"), KafkaHeader(name: HeaderName.kind, string: "edoc"),
            KafkaHeader(name: HeaderName.signature, string: "AAAA"),
        ]
        let padding = (0..<10).map { KafkaHeader(name: "x-pad-\($0)", value: [UInt8](repeating: 0x78, count: 122_880)) }
        let record = DeadLetter.record(
            for: original(headers: contract + padding, value: Array("hello".utf8)), errorClass: .oversize,
            reason: "x-pad-0: expected a value of at most 16384 bytes, not 122880", topics: Self.topics, at: Self.at,
            limits: EnvelopeLimits())
        let limit = EnvelopeLimits().maxRecordBytes - DeadLetter.margin
        print("poison dead letter: \(size(record)) bytes (limit \(limit)), from \(10 * 122_880) bytes of headers")
        #expect(size(record) <= limit)
        #expect(record.headers.string(named: HeaderName.signature) == "AAAA")
        #expect(record.headers.string(named: HeaderName.id) == "poison-1")
        #expect(record.value == Array("hello".utf8), "a small value is kept whole")
        let dropped = try #require(record.headers.string(named: HeaderName.droppedHeaders))
        #expect(dropped.hasPrefix("x-pad-0 (122880 B), "))
        #expect(dropped.utf8.count <= 1_024)
        // Read back, the context is there and the dropped list is not taken for an original header.
        let letter = DeadLetter(KafkaRecord(topic: "docrelay.dlq", partition: 0, offset: 0, key: record.key, value: record.value, headers: record.headers))
        #expect(letter.errorClass == "oversize")
        #expect(!letter.originalHeaders.contains { $0.name == HeaderName.droppedHeaders })
    }

    @Test("150 random header sets and values, for several limits: every dead letter within the limit, contract headers within their bound kept while they fit")
    func anyHeaders() {
        var random = SeededGenerator(seed: 10_3)
        var largest = 0
        var droppedSome = 0
        for round in 0..<150 {
            let limits = [EnvelopeLimits(), EnvelopeLimits(maxValueBytes: 8_192, maxHeaderBytes: 32_768),
                          EnvelopeLimits(maxValueBytes: 4 * 1_048_576)][round % 3]
            var headers: [KafkaHeader] = []
            for index in 0..<Int.random(in: 0...40, using: &random) {
                let name = Bool.random(using: &random)
                    ? HeaderName.signed[Int.random(in: 0..<HeaderName.signed.count, using: &random)]
                    : "x-\(index)-" + String(repeating: "n", count: Int.random(in: 0...300, using: &random))
                let length = [0, 10, 4_000, 16_384, 30_000, 200_000, 1_100_000][Int.random(in: 0...6, using: &random)]
                // Sizes are what matter here: filled, not random, bytes keep the test fast.
                headers.append(KafkaHeader(name: name, value: length == 0 && Bool.random(using: &random) ? nil : [UInt8](repeating: UInt8(index), count: length)))
            }
            let value = [UInt8](repeating: 0x61, count: [0, 100, limits.maxValueBytes, limits.maxValueBytes + 1][Int.random(in: 0...3, using: &random)])
            let record = DeadLetter.record(
                for: original(headers: headers, value: value), errorClass: .signature,
                reason: String(repeating: "r", count: Int.random(in: 0...10_000, using: &random)),
                pendingTo: ["000.00.00.H58"], topics: Self.topics, at: Self.at, limits: limits)
            let size = size(record)
            largest = max(largest, size)
            #expect(size <= limits.maxRecordBytes - DeadLetter.margin, "round \(round): \(size) bytes")
            let kept = Set(record.headers.map(\.name))
            let dropped = headers.filter { !record.headers.contains($0) }
            if !dropped.isEmpty {
                droppedSome += 1
                #expect(kept.contains(HeaderName.droppedHeaders), "round \(round): what was dropped is said")
            }
            if value.count > limits.maxValueBytes {
                #expect(record.headers.string(named: HeaderName.valueSize) == String(value.count))
            }
        }
        print("150 random dead letters: largest \(largest) bytes; \(droppedSome) dropped headers")
        #expect(droppedSome > 0)
    }

    @Test("A refused dead letter becomes a minimal one (no value, origin and id kept); a refused minimal one halts")
    func minimal() throws {
        let big = DeadLetter.record(
            for: original(headers: [KafkaHeader(name: HeaderName.id, string: "doc-7")], value: [UInt8](repeating: 1, count: 900_000)),
            errorClass: .signature, reason: "bad signature", topics: Self.topics, at: Self.at, limits: EnvelopeLimits())
        let minimal = DeadLetter.minimal(replacing: big, refusal: "MSG_SIZE_TOO_LARGE")
        print("minimal dead letter: \(size(minimal)) bytes")
        #expect(size(minimal) < 1_024)
        #expect(minimal.value.isEmpty)
        #expect(minimal.topic == Self.topics.deadLetters)
        #expect(minimal.headers.string(named: HeaderName.id) == "doc-7")
        #expect(minimal.headers.string(named: HeaderName.originOffset) == "41")
        #expect(minimal.headers.string(named: HeaderName.valueSize) == "900000")
        #expect(minimal.headers.string(named: HeaderName.error)?.contains("MSG_SIZE_TOO_LARGE") == true)
        #expect(DeadLetter.isMinimal(minimal) && !DeadLetter.isMinimal(big))

        let tiers = [try #require(RetryTier(parsing: "1s"))]
        let tooLarge = KafkaError.Code.messageSizeTooLarge
        #expect(WriteRefusal(record: big, error: .test(tooLarge)).step(topics: Self.topics, tiers: tiers) == .minimalDeadLetter)
        guard case .halt = WriteRefusal(record: minimal, error: .test(tooLarge)).step(topics: Self.topics, tiers: tiers) else {
            Issue.record("a refused minimal dead letter must halt the relay")
            return
        }
        let retry = KafkaProducerRecord(topic: Self.topics.retry(tiers[0]), key: nil, value: [], headers: [])
        let step = WriteRefusal(record: retry, error: .test(.unknownTopicOrPartition)).step(topics: Self.topics, tiers: tiers)
        guard case .deadLetterInstead(let reason) = step else {
            Issue.record("a refused retry must be dead-lettered, not \(step)")
            return
        }
        #expect(reason.hasPrefix("retry topic docrelay.retry.1s does not exist"))
        #expect(WriteRefusal.isPermanent(.test(tooLarge)) && WriteRefusal.isPermanent(.test(.unknownTopic)))
        #expect(!WriteRefusal.isPermanent(.test(.messageTimedOut)) && !WriteRefusal.isPermanent(.test(.allBrokersDown)))
    }
}

extension KafkaError {
    static func test(_ code: Code) -> KafkaError { KafkaError(code: code, message: "test") }
}
