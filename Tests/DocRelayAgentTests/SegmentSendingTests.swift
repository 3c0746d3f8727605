@testable import DocRelayAgent
import AsyncHTTPClient
import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// The agent sends a large document in segments (issue 13): a 3 MiB spool file and a 3 MiB
/// `POST /v1/documents` each go out as six 512 KiB records under one key, in order, whose
/// values put together are the document and whose first one verifies as a segment.
@Suite("The agent sends a large document in segments")
struct SegmentSendingTests {
    static let outTopic = "docrelay.out.000.00.00.G22"

    /// An embedded cluster with the sender's out and in topics, one partition each.
    static func cluster() throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic(outTopic, partitions: 1)
        try cluster.createTopic("docrelay.in.000.00.00.G22", partitions: 1)
        return cluster
    }

    /// Reads `count` records of the out topic and checks them against `value`; returns their headers' dr-id.
    static func check(_ records: [KafkaRecord], value: [UInt8], fixture: AgentFixture) throws -> String {
        #expect(records.count == 6)
        #expect(records.map(\.offset) == Array(records[0].offset..<(records[0].offset + 6)))
        #expect(records.map { $0.headers.string(named: HeaderName.segment) } == (0..<6).map { "\($0)/6" })
        #expect(records.allSatisfy { $0.headers.string(named: HeaderName.size) == "\(value.count)" })
        #expect(records.allSatisfy { $0.value.count <= 524_288 })
        #expect(byteDifference(records.flatMap(\.value), value) == nil)
        let id = try #require(records[0].headers.string(named: HeaderName.id))
        #expect(records.allSatisfy { $0.key == Array(id.utf8) && $0.headers.string(named: HeaderName.id) == id })
        let verifier = DocumentVerifier(directory: fixture.setup.directory.current, trust: fixture.setup.trust.current)
        let first = try verifier.verify(headers: records[0].headers.map { ($0.name, $0.value) }, value: records[0].value, segments: true).get()
        #expect(first.envelope.signed.sha256 == SHA256Hex.of(value))
        #expect(first.envelope.relay.segment == DocumentSegment(index: 0, count: 6, documentSize: value.count))
        return id
    }

    @Test("A 3 MiB spool file and a 3 MiB POST: six segments each, in order, their bytes the document's; the file goes to sent/")
    func spoolAndPost() async throws {
        let cluster = try Self.cluster()
        let fixture = try AgentFixture(
            bootstrap: cluster.bootstrapServers, agency: AgentFixture.sender,
            yaml: """
                send: { spool: spool, scan-interval: 100ms, segment-pace: 8388608 }
                receive: { inbox: inbox }
                api: { listen: "127.0.0.1:0" }
                """)
        let consumer = try await KafkaConsumer.connect(settings: .test(cluster, group: uniqueName("out")), logger: testLogger)
        try consumer.subscribe(topics: [Self.outTopic])
        let address = AsyncStream<String>.makeStream()
        let agent = Task {
            try await AgentService(setup: fixture.setup, logger: testLogger, onListening: { address.continuation.yield($0) }).run()
        }
        defer { agent.cancel() }

        // The spool: a 3 MiB file with its sidecar, moved in.
        let file = pseudoRandomBytes(count: 3 * 1_048_576, seed: 1)
        let outbox = fixture.path("spool/outbox")
        while !FileManager.default.fileExists(atPath: outbox) { try await Task.sleep(for: .milliseconds(50)) }
        try Data(#"{"to": ["000.00.00.H58"], "contentType": "application/pdf"}"#.utf8)
            .write(to: URL(fileURLWithPath: fixture.path("spool/outbox/report.pdf.meta.json")))
        try Data(file).write(to: URL(fileURLWithPath: fixture.path("spool/report.pdf.part")))
        try FileManager.default.moveItem(atPath: fixture.path("spool/report.pdf.part"), toPath: fixture.path("spool/outbox/report.pdf"))
        _ = try Self.check(try await consumer.take(6, within: .seconds(120)), value: file, fixture: fixture)
        try await within(.seconds(60), "report.pdf in sent/") {
            while !fixture.files("spool/sent").contains("report.pdf") { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(fixture.files("spool/rejected").isEmpty)

        // POST /v1/documents of 3 MiB.
        var listening = address.stream.makeAsyncIterator()
        let api = try #require(await listening.next())
        let posted = pseudoRandomBytes(count: 3 * 1_048_576, seed: 2)
        var request = HTTPClientRequest(url: "http://\(api)/v1/documents")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/pdf")
        request.headers.add(name: HeaderName.to, value: AgentFixture.recipient)
        request.headers.add(name: HeaderName.id, value: "posted-1")
        request.body = .bytes(ByteBuffer(bytes: posted))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        try await client.shutdown()
        #expect([201, 202].contains(response.status.code))
        let id = try Self.check(try await consumer.take(6, within: .seconds(120)), value: posted, fixture: fixture)
        #expect(id == "posted-1")
        await consumer.close()
    }

    @Test("The SDK's sendEdoc of a 3 MiB edXML: OK, and seven 512 KiB segments whose bytes are the file (the SDK's CRLF removed)")
    func sendEdoc() async throws {
        let cluster = try Self.cluster()
        let fixture = try AgentFixture(
            bootstrap: cluster.bootstrapServers, agency: AgentFixture.sender,
            yaml: """
                send: {}
                receive: { inbox: inbox }
                api: { listen: "127.0.0.1:0" }
                sdk: { path: /XrdAdapter/adapter, secrets: sdk-secrets, systems: [{ id: 000.00.00.G22 }] }
                """,
            files: ["sdk-secrets": "000.00.00.G22 c2VjcmV0LWcyMg==\n"])
        let consumer = try await KafkaConsumer.connect(settings: .test(cluster, group: uniqueName("out")), logger: testLogger)
        try consumer.subscribe(topics: [Self.outTopic])
        let address = AsyncStream<String>.makeStream()
        let agent = Task {
            try await AgentService(setup: fixture.setup, logger: testLogger, onListening: { address.continuation.yield($0) }).run()
        }
        defer { agent.cancel() }
        var listening = address.stream.makeAsyncIterator()
        let api = try #require(await listening.next())

        let edXML = SegmentReceivingTests.edXML(bytes: 3 * 1_048_576, from: AgentFixture.sender, to: AgentFixture.recipient)
        var request = HTTPClientRequest(url: "http://\(api)/XrdAdapter/adapter/sendEdoc")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        for (name, value) in SDKTestRequests.headers([("from", AgentFixture.sender), ("servicetype", "eDoc"), ("messagetype", "edoc")]) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: edXML + [0x0D, 0x0A]))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(request, timeout: .seconds(60))
        let answer = String(buffer: try await response.body.collect(upTo: 1 << 20))
        try await client.shutdown()
        #expect(answer.contains("\"status\":\"OK\""), "\(answer)")
        let records = try await consumer.take(7, within: .seconds(120))
        #expect(records.map { $0.headers.string(named: HeaderName.segment) } == (0..<7).map { "\($0)/7" })
        #expect(byteDifference(records.flatMap(\.value), edXML) == nil)
        await consumer.close()
    }

    @Test("Headers signed elsewhere for a 3 MiB document: taken when the bytes are the signed ones, refused as signature when not")
    func signedElsewhere() throws {
        let fixture = try AgentFixture(agency: AgentFixture.sender, yaml: "send: {}\nreceive: { inbox: inbox }")
        let preparer = DocumentPreparer(
            agency: AgentFixture.sender, identity: fixture.setup.identity, directory: fixture.setup.directory, trust: fixture.setup.trust)
        var value = pseudoRandomBytes(count: 3 * 1_048_576, seed: 4)
        let draft = DocumentDraft(id: "signed-elsewhere", kind: .edoc, from: AgentFixture.sender, to: [AgentFixture.recipient], contentType: "application/pdf")
        let headers = try DocumentSigner.sign(value, draft: draft, identity: fixture.g22).headers.map { ($0.name, Optional($0.value)) }
        #expect(try preparer.prepare(DocumentSubmission(value: value, metadata: .signed(headers))).id == "signed-elsewhere")
        value[2_000_000] ^= 1
        let error = #expect(throws: SubmissionError.self) {
            try preparer.prepare(DocumentSubmission(value: value, metadata: .signed(headers)))
        }
        #expect(error?.errorClass == "signature")
        #expect(error?.description.contains("dr-sha256: the value's SHA-256 is") == true)
    }

    @Test("Over the home hub's max-document-bytes (2 MiB here): a POST gets 413 and a spool file goes to rejected/, each naming the limit")
    func postTooLarge() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let fixture = try AgentFixture(
            bootstrap: cluster.bootstrapServers, agency: AgentFixture.sender,
            yaml: """
                send: { spool: spool, scan-interval: 100ms }
                receive: { inbox: inbox }
                api: { listen: "127.0.0.1:0" }
                """, maxDocumentBytes: 2_097_152)
        let address = AsyncStream<String>.makeStream()
        let agent = Task {
            try await AgentService(setup: fixture.setup, logger: testLogger, onListening: { address.continuation.yield($0) }).run()
        }
        defer { agent.cancel() }
        var listening = address.stream.makeAsyncIterator()
        let api = try #require(await listening.next())
        while !FileManager.default.fileExists(atPath: fixture.path("spool/outbox")) { try await Task.sleep(for: .milliseconds(50)) }
        var request = HTTPClientRequest(url: "http://\(api)/v1/documents")
        request.method = .POST
        request.headers.add(name: HeaderName.to, value: AgentFixture.recipient)
        request.body = .bytes(ByteBuffer(repeating: 0x41, count: 2_097_153))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        try await client.shutdown()
        #expect(response.status.code == 413)
        #expect(body.contains("at most 2097152 bytes (max-document-bytes"))

        try Data(#"{"to": ["000.00.00.H58"]}"#.utf8).write(to: URL(fileURLWithPath: fixture.path("spool/outbox/big.pdf.meta.json")))
        try Data(repeating: 0x41, count: 2_097_153).write(to: URL(fileURLWithPath: fixture.path("spool/big.pdf.part")))
        try FileManager.default.moveItem(atPath: fixture.path("spool/big.pdf.part"), toPath: fixture.path("spool/outbox/big.pdf"))
        try await within(.seconds(60), "big.pdf in rejected/") {
            while !fixture.files("spool/rejected").contains("big.pdf.reason.txt") { try await Task.sleep(for: .milliseconds(50)) }
        }
        let reason = try String(contentsOfFile: fixture.path("spool/rejected/big.pdf.reason.txt"), encoding: .utf8)
        #expect(reason.contains("class: oversize"))
        #expect(reason.contains("2097153 bytes, over the limit of 2097152 bytes (max-document-bytes"))
    }
}
