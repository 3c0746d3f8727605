@testable import DocRelayAgent
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import NIOCore
import Testing

/// The recipient's agent and documents sent in segments (issue 13): written to a partial file as
/// they come, assembled byte for byte into the inbox folder, their offsets marked only with the
/// document's outcome; a start over, an abort marker, a timeout and a repeat each end cleanly.
@Suite("The agent receives a large document in segments")
struct SegmentReceivingTests {
    /// 3 MiB: six 512 KiB segments.
    static let value = pseudoRandomBytes(count: 3 * 1_048_576, seed: 13)

    struct Agent {
        let fixture: AgentFixture
        let receiver: DocumentReceiver
        let store: AgentStore

        init() throws {
            fixture = try AgentFixture()
            let state = fixture.setup.configuration.stateFolder
            store = try AgentStore(folder: state)
            receiver = DocumentReceiver(
                setup: fixture.setup, store: store, inbox: fixture.setup.configuration.receive?.inbox.map(InboxFolder.init),
                webhook: nil, statuses: nil, parked: ParkedDocuments(root: state), status: AgentStatus(),
                segmentTimeout: .seconds(600), logger: testLogger)
        }

        /// Feeds the records; returns the offsets marked after each.
        func feed(_ records: [KafkaRecord]) async throws -> [[Int64]] {
            var marked: [[Int64]] = []
            for record in records { marked.append(try await receiver.handle(record).map(\.offset)) }
            return marked
        }

        var partials: [String] { fixture.files("state/partial") }
        var refused: [String] { fixture.files("state/refused") }
        var inbox: [String] { fixture.files("inbox") }

        func reason() throws -> String {
            let name = try #require(refused.first { $0.hasSuffix(".reason.txt") })
            return try String(contentsOfFile: fixture.path("state/refused/\(name)"), encoding: .utf8)
        }
    }

    /// Renumbers records from `offset` on (a document read again further on in the partition).
    static func at(_ records: [KafkaRecord], from offset: Int64) -> [KafkaRecord] {
        records.enumerated().map { index, record in
            var moved = record
            moved.offset = offset + Int64(index)
            return moved
        }
    }

    @Test("A 3 MiB document: six segments, assembled byte for byte into the inbox, all six marked only with the last")
    func assembled() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-1")
        #expect(records.count == 6)
        let marked = try await agent.feed(records)
        #expect(marked == [[], [], [], [], [], [0, 1, 2, 3, 4, 5]])
        #expect(agent.inbox == ["big-1.pdf", "big-1.pdf.meta.json"])
        let delivered = try #require(FileManager.default.contents(atPath: agent.fixture.path("inbox/big-1.pdf")))
        #expect(delivered.count == Self.value.count)
        #expect(Array(delivered) == Self.value)
        #expect(agent.partials.isEmpty)
        #expect(agent.refused.isEmpty)
        let incoming = try #require(try await agent.store.incoming(from: AgentFixture.sender, id: "big-1"))
        #expect(incoming.state == .delivered)
        #expect(incoming.sha256 == SHA256Hex.of(Self.value))
    }

    @Test("Segment 1 again after three: the document starts over and completes; every record of both starts is marked at the end")
    func startOver() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-2")
        let again = Self.at(records, from: 3)
        let marked = try await agent.feed(Array(records[0..<3]) + again)
        #expect(marked.dropLast().allSatisfy { $0.isEmpty })
        #expect(marked.last == Array(0...8))
        let delivered = try #require(FileManager.default.contents(atPath: agent.fixture.path("inbox/big-2.pdf")))
        #expect(Array(delivered) == Self.value)
        #expect(agent.partials.isEmpty)
        #expect(agent.refused.isEmpty)
    }

    @Test("An abort marker deletes the partial file, notes the document in refused/ with the hub's reason, marks what was held")
    func aborted() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-3")
        var marked = try await agent.feed(Array(records[0..<2]))
        #expect(agent.partials.count == 1)
        let marker = AgentFixture.abortMarker(
            of: records[0], count: 6, size: Self.value.count, offset: 2, reason: "segment 4 of 6 is missing: segment 5 of 6 came after segment 3 of 6")
        marked += try await agent.feed([marker])
        #expect(marked == [[], [], [0, 1, 2]])
        #expect(agent.partials.isEmpty)
        #expect(agent.inbox.isEmpty)
        let reason = try agent.reason()
        #expect(reason.contains("id: big-3"))
        #expect(reason.contains("malformed: segment 4 of 6 is missing"))
        #expect(reason.contains("abort/6"))
        #expect(try await agent.store.incoming(from: AgentFixture.sender, id: "big-3")?.state == .refused)
    }

    @Test("A document whose segments stop coming: after receive.segment-timeout its partial file is deleted, noted incomplete")
    func timedOut() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-4")
        let marked = try await agent.feed(Array(records[0..<2]))
        #expect(marked == [[], []])
        // Not yet stale: nothing given up.
        #expect(try await agent.receiver.abandonStale(at: .now).isEmpty)
        #expect(agent.partials.count == 1)
        let given = try await agent.receiver.abandonStale(at: .now.advanced(by: .seconds(601)))
        #expect(given.map(\.offset) == [0, 1])
        #expect(agent.partials.isEmpty)
        let reason = try agent.reason()
        #expect(reason.contains("incomplete: only 2 of 6 segments came (1048576 of 3145728 bytes), then none for 600 s (receive.segment-timeout)"))
        // The rest of it, late: dropped and marked at once.
        #expect(try await agent.feed([records[2]]) == [[2]])
        #expect(agent.partials.isEmpty)
    }

    @Test("The whole segmented document again (a sender's resend): a repeat, its segments dropped, no second file, all marked")
    func repeated() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-5")
        _ = try await agent.feed(records)
        #expect(agent.inbox == ["big-5.pdf", "big-5.pdf.meta.json"])
        let first = try #require(FileManager.default.attributesOfItem(atPath: agent.fixture.path("inbox/big-5.pdf"))[.modificationDate] as? Date)
        let marked = try await agent.feed(Self.at(records, from: 6))
        #expect(marked == [[], [], [], [], [], [6, 7, 8, 9, 10, 11]])
        #expect(agent.inbox == ["big-5.pdf", "big-5.pdf.meta.json"])
        #expect(try FileManager.default.attributesOfItem(atPath: agent.fixture.path("inbox/big-5.pdf"))[.modificationDate] as? Date == first)
        #expect(agent.partials.isEmpty)
        #expect(agent.refused.isEmpty)
        #expect(try await agent.store.incoming(id: "big-5").count == 1)
    }

    @Test("An altered segment: the whole value's digest is not the signed one; refused as signature, nothing delivered")
    func altered() async throws {
        let agent = try Agent()
        var records = try agent.fixture.records(Self.value, id: "big-6")
        records[3].value[100] ^= 0xFF
        let marked = try await agent.feed(records)
        #expect(marked.last == Array(0...5))
        #expect(agent.inbox.isEmpty)
        #expect(agent.partials.isEmpty)
        #expect(try agent.reason().contains("signature: dr-sha256: the SHA-256 of the 6 segments (3145728 bytes)"))
    }

    @Test("Segments whose signature fails: the first is refused and noted, the rest dropped without a note; each marked at once")
    func forged() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "big-8").map { record in
            var forged = record
            forged.headers = record.headers.map { $0.name == HeaderName.created ? KafkaHeader(name: $0.name, string: "2026-01-01T00:00:00Z") : $0 }
            return forged
        }
        let marked = try await agent.feed(records)
        #expect(marked == (0..<6).map { [Int64($0)] })
        #expect(agent.refused.filter { $0.hasSuffix(".reason.txt") }.count == 1)
        #expect(try agent.reason().contains("id: big-8"))
        #expect(agent.partials.isEmpty)
        #expect(agent.inbox.isEmpty)
    }

    @Test("A status in segments about a document this agency did not send: kept aside at its first segment, as a whole one is")
    func statusProvenance() async throws {
        let agent = try Agent()
        let records = try agent.fixture.records(Self.value, id: "status-1", kind: .status, ref: "not-sent-here")
        let marked = try await agent.feed(records)
        #expect(marked == (0..<6).map { [Int64($0)] })
        #expect(try agent.reason().contains("provenance:"))
        #expect(agent.partials.isEmpty)
        #expect(agent.inbox.isEmpty)
    }

    @Test("With the SDK's mailbox: the assembled document is kept in the store byte for byte, and moved into the inbox")
    func mailbox() async throws {
        let fixture = try AgentFixture()
        let state = fixture.setup.configuration.stateFolder
        let store = try AgentStore(folder: state)
        let receiver = DocumentReceiver(
            setup: fixture.setup, store: store, inbox: InboxFolder(root: fixture.path("inbox")), webhook: nil, statuses: nil,
            parked: ParkedDocuments(root: state), status: AgentStatus(), sdkMailbox: true, logger: testLogger)
        for record in try fixture.records(Self.value, id: "big-9") { _ = try await receiver.handle(record) }
        let item = try #require(try await store.mailboxItem(sdkId: SDKDocumentID.of(from: AgentFixture.sender, id: "big-9")))
        #expect(Array(item.value) == Self.value)
        #expect(try FileManager.default.contents(atPath: fixture.path("inbox/big-9.pdf")).map(Array.init) == Self.value)
        #expect(fixture.files("state/partial").isEmpty)
    }

    @Test("A webhook body from a file: the pieces put together are the file")
    func filePieces() async throws {
        let agent = try Agent()
        let path = agent.fixture.path("pieces.bin")
        try Data(Self.value).write(to: URL(fileURLWithPath: path))
        var bytes: [UInt8] = []
        var count = 0
        for try await piece in FilePieces(path: path) {
            bytes += piece.readableBytesView
            count += 1
        }
        #expect(count == 12)
        #expect(byteDifference(bytes, Self.value) == nil)
    }

    @Test("A large edXML document: its whole header is read from the assembled file, and it is delivered as .xml")
    func edXML() async throws {
        let agent = try Agent()
        let value = Self.edXML(bytes: 2_400_000)
        let records = try agent.fixture.records(value, id: "big-7", contentType: "application/edxml+xml")
        #expect(records.count == 5)
        let marked = try await agent.feed(records)
        #expect(marked.last == Array(0...4))
        let delivered = try #require(FileManager.default.contents(atPath: agent.fixture.path("inbox/big-7.xml")))
        #expect(byteDifference(delivered, value) == nil)
    }

    /// An edXML envelope from G22 to H58 with an attachment of about `bytes` (as SegmentAssemblyTests' sample).
    static func edXML(bytes: Int, from: String = AgentFixture.sender, to: String = AgentFixture.recipient) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader>\
            <edXML:From><edXML:OrganId>\(from)</edXML:OrganId></edXML:From>\
            <edXML:To><edXML:OrganId>\(to)</edXML:OrganId></edXML:To>\
            <edXML:DocumentId>\(from),2026/12/01,large-1</edXML:DocumentId>\
            </edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody><Attachment>\(String(repeating: "QUJD", count: bytes / 4))</Attachment></edXML:edXMLBody></edXML:edXMLEnvelope>
            """.utf8)
    }
}
