import DocRelayCore
import DocRelayKafka
import Foundation
import Synchronization
import Logging

/// What the agent sends, whatever brought it (a spool file, an HTTP request, a status): each
/// document is recorded in the store with its signed headers before it is published, and marked
/// published only once the broker acknowledged it (acks=all). A record recorded but not yet
/// published is republished after a restart with the same headers: the same id, never another.
final class DocumentOutbox: Sendable {
    let store: AgentStore
    let producer: KafkaProducer
    let preparer: DocumentPreparer
    let topic: String
    let logger: Logger
    /// Publications in progress, by document id. A second publisher of the same document (the
    /// pass over leftovers beside a request that just recorded it, a status made twice) awaits
    /// the first one's outcome instead of producing the document again: two producers of one
    /// large document would interleave its segments (0, 1, 2, 0, 1, 2, 3, …).
    private let publications = Mutex<[String: Task<OutgoingRecord, any Error>]>([:])
    /// How a document over one record's value limit is cut (contract, "Large documents").
    let segmentation = DocumentSegmentation()
    /// `send.segment-pace`: bytes per second a segmented document goes at; 0: unpaced.
    let segmentPace: Int
    /// Segments handed to librdkafka and not yet acknowledged, at most: librdkafka never
    /// queues a whole large document, and memory holds the value once plus these copies.
    static let segmentWindow = 3
    /// Bytes of documents received over HTTP (`POST /v1/documents`, the SDK's `sendEdoc`) held
    /// in memory at once, from before their body is read until they are published: twice the
    /// home hub's `max-document-bytes` when the agent started (128 MiB by default). Uploads
    /// beyond it wait their turn, so memory does not grow with the uploads in flight; one
    /// larger than it goes alone (`ByteBudget`).
    let uploads: ByteBudget

    init(
        store: AgentStore, producer: KafkaProducer, preparer: DocumentPreparer, topics: TopicNames, segmentPace: Int = 0,
        logger: Logger
    ) {
        self.segmentPace = segmentPace
        self.uploads = ByteBudget(capacity: 2 * preparer.maxDocumentBytes)
        self.store = store
        self.producer = producer
        self.preparer = preparer
        self.topic = topics.out(preparer.agency)
        self.logger = logger
    }

    /// What an upload reserves in `uploads` before its body is read: its `Content-Length`, else
    /// the limit, never more than the limit (`collect(upTo:)` refuses more).
    static func uploadReservation(contentLength: String?, limit: Int) -> Int {
        min(contentLength.flatMap { Int($0) }.map { max($0, 0) } ?? limit, limit)
    }

    /// Signs (or checks) `submission` and records it; the record returned is queued, not yet
    /// published. A spool document carries its file name, so that a restart finds it again; an
    /// HTTP one the API client that sent it, so that no other client reads it.
    func take(
        _ submission: DocumentSubmission, source: OutgoingRecord.Source, fileName: String? = nil, client: String? = nil
    ) async throws -> OutgoingRecord {
        let signed = try preparer.prepare(submission)
        var record = Self.record(signed, source: source, fileName: fileName, value: fileName == nil ? submission.value : nil)
        record.client = client
        do {
            try await store.insert(record)
        } catch let duplicate as DuplicateDocument {
            throw SubmissionError("duplicate", field: HeaderName.id, duplicate.description)
        }
        return record
    }

    /// Like `take`, for a record made again after a restart with the same id (status 01): the
    /// record kept the first time is returned, with the value it was signed with.
    func takeOnce(_ submission: DocumentSubmission, source: OutgoingRecord.Source) async throws -> OutgoingRecord {
        let signed = try preparer.prepare(submission)
        return try await store.insertIfAbsent(Self.record(signed, source: source, fileName: nil, value: submission.value))
    }

    /// Publishes a recorded document and marks it published; throws the broker's error (the
    /// record stays queued and is tried again). A document being published already is not
    /// produced again: the call awaits that publication's outcome. One the store has as
    /// published already (a caller's copy read before another publication ended) is returned as
    /// the store has it, not produced again.
    @discardableResult
    func publish(_ record: OutgoingRecord, value: [UInt8]) async throws -> OutgoingRecord {
        let publication = publications.withLock { running in
            if let publication = running[record.id] { return publication }
            let publication = Task {
                defer { _ = publications.withLock { $0.removeValue(forKey: record.id) } }
                return try await publishOnce(record, value: value)
            }
            running[record.id] = publication
            return publication
        }
        return try await publication.value
    }

    private func publishOnce(_ record: OutgoingRecord, value: [UInt8]) async throws -> OutgoingRecord {
        if let published = try await store.outgoing(id: record.id, state: .published) { return published }
        let headers = try Self.decodeHeaders(record.headers)
        do {
            let report = try await produce(record, headers: headers, value: value)
            let at = RFC3339.format(Date(), fractionalDigits: 3)
            try await store.markPublished(
                id: record.id, topic: report.topic, partition: Int(report.partition), offset: report.offset, at: at)
            logger.info("Published", metadata: [
                LogKey.documentID: "\(record.id)", LogKey.agency: "\(preparer.agency)",
                "to": "\(record.recipients)", "offset": "\(report.partition)@\(report.offset)",
            ])
            var published = record
            published.state = .published
            published.publishedAt = at
            return published
        } catch let error as KafkaError {
            try? await store.markPublishFailed(id: record.id, error: "\(error)")
            logger.warning("Not published yet", metadata: [LogKey.documentID: "\(record.id)", LogKey.error: "\(error)"])
            throw error
        }
    }

    /// Produces the record: whole, or over one record's limit as its segments in order (each
    /// with the signed headers, `dr-segment` and `dr-size`), a few in flight at a time, under
    /// the one idempotent producer. The report is the first record's: where a reader begins.
    /// Sent again after a failure or a crash, a segmented document goes again from index 0,
    /// and readers start over.
    private func produce(_ record: OutgoingRecord, headers: [(name: String, value: String)], value: [UInt8]) async throws -> KafkaDeliveryReport {
        let key = Array(record.id.utf8)
        let base = headers.map { KafkaHeader(name: $0.name, string: $0.value) }
        guard segmentation.isSegmented(size: value.count) else {
            return try await producer.send(KafkaProducerRecord(topic: topic, key: key, value: value, headers: base))
        }
        let ranges = segmentation.ranges(size: value.count)
        let segments = segmentation.segments(size: value.count)
        let topic = self.topic
        let reports = try await producer.sendInOrder(count: ranges.count, window: Self.segmentWindow, bytesPerSecond: segmentPace) { index in
            KafkaProducerRecord(
                topic: topic, key: key, value: Array(value[ranges[index]]),
                headers: base + segments[index].headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
        logger.debug("Published in segments", metadata: [LogKey.documentID: "\(record.id)", "segments": "\(reports.count)"])
        return reports[0]  // every segment acknowledged (sendInOrder throws otherwise), at least 2
    }

    /// Documents without a file left queued by an earlier run (HTTP, statuses): published now.
    func publishLeftovers() async throws {
        // One at a time, read when its turn comes: a document may be up to max-document-bytes.
        for id in try await store.queuedIDsWithoutFile() where publications.withLock({ $0[id] == nil }) {
            guard var record = try await store.outgoing(id: id), record.state == .queued,
                  let value = record.value.map({ Array($0) })
            else { continue }
            record.value = nil  // held once, as `value`
            _ = try? await publish(record, value: value)
        }
    }

    static func record(_ signed: SignedHeaders, source: OutgoingRecord.Source, fileName: String?, value: [UInt8]?) -> OutgoingRecord {
        OutgoingRecord(
            id: signed.id, source: source, fileName: fileName, sha256: signed.sha256,
            headers: encodeHeaders(signed.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }),
            value: value.map { Data($0) }, kind: signed.kind.rawValue, recipients: signed.to.joined(separator: ","),
            ref: signed.ref, state: .queued, archived: false, createdAt: RFC3339.format(Date(), fractionalDigits: 3),
            publishedAt: nil, topic: nil, partition: nil, offset: nil, attempts: 0, lastError: nil)
    }

    static func encodeHeaders(_ headers: [(name: String, value: String)]) -> String {
        let pairs = headers.map { [$0.name, $0.value] }
        guard let data = try? JSONEncoder().encode(pairs) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeHeaders(_ text: String) throws -> [(name: String, value: String)] {
        let pairs = try JSONDecoder().decode([[String]].self, from: Data(text.utf8))
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}
