import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay relay: delivery and acks", .serialized)
struct RelayDeliveryTests {
    @Test("5,000 signed documents between 20 agencies: each inbox holds exactly its own, byte for byte; one delivered ack per recipient; no dead letter")
    func fiveThousandDocuments() async throws {
        let agencies = (1...20).map { String(format: "000.00.%02d.H58", $0) }
        let harness = try await RelayHarness(agencies: agencies)
        // The documents, each to one to three other agencies.
        var random = SeededGenerator(seed: 20261129)
        var expected: [String: [String: [UInt8]]] = [:]  // inbox -> id -> value
        var expectedAcks: [String: Set<String>] = [:]     // sender -> "id>recipient"
        var records: [KafkaProducerRecord] = []
        for index in 0..<5000 {
            let from = agencies[Int.random(in: 0..<20, using: &random)]
            let others = agencies.filter { $0 != from }.shuffled(using: &random)
            let to = Array(others.prefix(Int.random(in: 1...3, using: &random)))
            let value = Array("Văn bản \(index) từ \(from): ".utf8) + random.bytes(Int.random(in: 0...600, using: &random))
            let id = "doc-\(index)"
            records.append(try harness.document(value, from: from, to: to, id: id))
            for code in to {
                expected[code, default: [:]][id] = value
                expectedAcks[from, default: []].insert("\(id)>\(code)")
            }
        }
        let producer = try harness.producer()
        _ = try await sendAll(records, with: producer, width: 500)
        await producer.close()

        try await harness.startRelay()
        let deliveries = expected.values.reduce(0) { $0 + $1.count }
        let ackCount = expectedAcks.values.reduce(0) { $0 + $1.count }
        // Every inbox receives its documents and the acks of what its agency sent.
        for code in agencies {
            try await harness.waitUntil(harness.topics.inbox(code), holds: Int64((expected[code]?.count ?? 0) + (expectedAcks[code]?.count ?? 0)))
        }
        let stopped = try await harness.stopRelay()
        #expect(stopped?.exitCode == 0, "\(stopped?.standardError ?? "")")

        let inboxes = try await harness.read(agencies.map(harness.topics.inbox), count: deliveries + ackCount)
        #expect(inboxes.count == deliveries + ackCount)
        var seenDocuments: [String: [String: [UInt8]]] = [:]
        var seenAcks: [String: Set<String>] = [:]
        for record in inboxes {
            let inbox = String(record.topic.dropFirst("docrelay.in.".count))
            if record.header(HeaderName.kind) == "ack" {
                let message = try #require(AckMessage.decode(record.value))
                #expect(message.outcome == .delivered)
                #expect(record.header(HeaderName.from) == "hub:national")
                let inserted = seenAcks[inbox, default: []].insert("\(message.ref)>\(message.recipient)").inserted
                #expect(inserted, "ack \(message.ref)>\(message.recipient) twice")
            } else {
                #expect(seenDocuments[inbox, default: [:]][record.stringKey] == nil, "\(record.stringKey) twice in \(inbox)")
                seenDocuments[inbox, default: [:]][record.stringKey] = record.value
                #expect(record.headers.values(named: HeaderName.hop).count == 1)
            }
        }
        #expect(seenDocuments == expected)
        #expect(seenAcks == expectedAcks)
        #expect(try await harness.count(harness.topics.deadLetters) == 0)
    }
}
