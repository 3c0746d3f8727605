import DocRelayKafka
import Foundation
import DocRelayTestSupport
import Testing

/// kcat (librdkafka's command-line client, from Debian) is the independent client: what it
/// writes we read equal, what we write it reads equal.
@Suite("Interoperability with kcat")
struct KcatInteropTests {
    let kcat: String

    init() throws {
        kcat = try #require(which("kcat"), "kcat is required (make test installs it)")
    }

    @Test("Records produced by kcat, with headers, are read by our consumer equal")
    func kcatToUs() async throws {
        let topic = uniqueName("from-kcat")
        let broker = try await BrokerProcess.start(topics: ["\(topic):3"])

        let edocLines = (0..<50).map { "edoc-\($0)|Quyết định số \($0)/QĐ-UBND: nội dung ✓ \(String(repeating: "x", count: $0))" }
        let edoc = try await run(kcat, [
            "-b", broker.bootstrap, "-P", "-t", topic, "-K", "|",
            "-H", "dr-kind=edoc", "-H", "dr-from=000.00.00.G22", "-H", "dr-hop=national/a", "-H", "dr-hop=h58/b",
        ], input: Data((edocLines.joined(separator: "\n") + "\n").utf8))
        #expect(edoc.exitCode == 0, "\(edoc.standardError)")
        let statusLines = (0..<50).map { "status-\($0)|{\"code\":\"0\($0 % 6 + 1)\"}" }
        let status = try await run(kcat, [
            "-b", broker.bootstrap, "-P", "-t", topic, "-K", "|", "-H", "dr-kind=status", "-H", "dr-ref=edoc-1",
        ], input: Data((statusLines.joined(separator: "\n") + "\n").utf8))
        #expect(status.exitCode == 0, "\(status.standardError)")

        let consumer = try KafkaConsumer(settings: consumerSettings(bootstrap: broker.bootstrap), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await consumer.take(100)
        await consumer.close()
        _ = try await broker.stop()

        let byKey = Dictionary(uniqueKeysWithValues: received.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) })
        for line in edocLines {
            let parts = line.split(separator: "|", maxSplits: 1)
            let record = try #require(byKey[String(parts[0])])
            #expect(record.value == Array(parts[1].utf8))
            #expect(record.headers == [
                KafkaHeader(name: "dr-kind", string: "edoc"), KafkaHeader(name: "dr-from", string: "000.00.00.G22"),
                KafkaHeader(name: "dr-hop", string: "national/a"), KafkaHeader(name: "dr-hop", string: "h58/b"),
            ])
        }
        for line in statusLines {
            let parts = line.split(separator: "|", maxSplits: 1)
            let record = try #require(byKey[String(parts[0])])
            #expect(record.value == Array(parts[1].utf8))
            #expect(record.headers == [KafkaHeader(name: "dr-kind", string: "status"), KafkaHeader(name: "dr-ref", string: "edoc-1")])
        }
    }

    @Test("Records produced by us are read by kcat equal: keys, values, headers")
    func usToKcat() async throws {
        let topic = uniqueName("to-kcat")
        let broker = try await BrokerProcess.start(topics: ["\(topic):2"])
        let sent = (0..<100).map { index in
            KafkaProducerRecord(
                topic: topic, key: Array("doc-\(index)".utf8),
                value: Array("Công văn \(index) gửi Sở Nội vụ — \"trích yếu\"\t\(index * index)".utf8),
                headers: [
                    KafkaHeader(name: "dr-id", string: "doc-\(index)"),
                    KafkaHeader(name: "dr-hop", string: "h58/relay-1"),
                    KafkaHeader(name: "dr-hop", string: "national/relay-2"),
                    KafkaHeader(name: "dr-ref", string: ""),
                ])
        }
        let producer = try await KafkaProducer.connect(
            settings: KafkaProducerSettings(connection: KafkaSettings(bootstrap: broker.bootstrap)), logger: testLogger)
        for record in sent { try await producer.send(record) }
        await producer.close()

        let result = try await run(kcat, ["-b", broker.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"])
        _ = try await broker.stop()
        #expect(result.exitCode == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 100)
        var seen: [String: [String: Any]] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let key = try #require(object["key"] as? String)
            seen[key] = object
        }
        for record in sent {
            let object = try #require(seen[String(decoding: record.key ?? [], as: UTF8.self)])
            #expect(object["payload"] as? String == String(decoding: record.value, as: UTF8.self))
            let headers = try #require(object["headers"] as? [String])
            #expect(headers == record.headers.flatMap { [$0.name, $0.stringValue ?? ""] })
        }
    }
}
