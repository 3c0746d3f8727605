import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Documents received in segments (contract, "Large documents"): each segment is written to
/// the document's partial file as it comes (`SegmentAssembly` decides: expected → written then
/// taken; index 0 again → the file truncated, the document started over; a repeat → skipped;
/// anything else → refused); the whole is verified (digest, size, the whole edXML read from the
/// file) and handed over as any document. The segments' records are returned for marking only
/// with the document's outcome.
extension DocumentReceiver {
    func handleSegment(_ record: KafkaRecord, document: VerifiedDocument, segment: DocumentSegment) async throws -> [KafkaRecord] {
        let signed = document.envelope.signed
        let key = SegmentTracker.Key(topic: record.topic, partition: record.partition, from: signed.from, id: signed.id)
        let action = segments.withLock {
            $0.step(key, segment: segment, sha256: signed.sha256, record: record, now: .now, abortReason: Self.abortReason(record))
        }
        switch action {
        case .orphan:
            // The rest of a document given up (refused, timed out) or a marker for none in progress.
            logger.info("A segment of no document in progress: dropped", metadata: [
                LogKey.documentID: "\(signed.id)", LogKey.agency: "\(signed.from)", "segment": "\(segment.headerValue)",
            ])
            return [record]
        case .first, .restart:
            return try await begin(key, record: record, document: document, segment: segment, again: action == .restart)
        case .append:
            try append(record.value, to: partialPath(key), truncating: false)
            return try await took(key, record: record, document: document)
        case .skip:
            guard segments.withLock({ $0.isDiscarding(key) }), segment.isLast else { return [] }
            // The last segment of a repeat: done with it.
            return segments.withLock { $0.finish(key) }?.held ?? [record]
        case .refuse(let errorClass, let reason):
            return try await giveUp(key, because: "\(errorClass.rawValue): \(reason)")
        case .abort(let reason):
            return try await giveUp(key, because: reason)
        }
    }

    /// The first segment (again): the recipient and repeat checks a whole record gets, then a
    /// new partial file with its bytes.
    private func begin(
        _ key: SegmentTracker.Key, record: KafkaRecord, document: VerifiedDocument, segment: DocumentSegment, again: Bool
    ) async throws -> [KafkaRecord] {
        let signed = document.envelope.signed
        let path = partialPath(key)
        var light = record
        light.value = []
        // Refused at its first segment: noted once, the rest of it dropped as orphans.
        func refuseFirst(_ reason: String, message: Logger.Message = "Refused a record that fails the end-to-end check") async throws -> [KafkaRecord] {
            let held = (segments.withLock { $0.finish(key) }?.held ?? []) + (again ? [] : [record])
            unlink(path)
            try await refuse(light, because: reason, message: message, sha256: signed.sha256)
            return held
        }
        guard signed.kind != .ack else { return try await refuseFirst("malformed: an ack sent in segments") }
        guard signed.to.contains(setup.code) else {
            return try await refuseFirst("recipient: addressed to \(signed.to.joined(separator: ",")), not to \(setup.code)")
        }
        if signed.kind == .status {
            // As for a whole status: only a recipient of the document it is about has a say.
            let sent = signed.ref.isEmpty ? nil : try await store.outgoing(id: signed.ref).map(Provenance.SentDocument.init)
            if case .keptAside(let reason) = Provenance.check(signed, value: record.value, agency: setup.code, sent: sent) {
                return try await refuseFirst(reason, message: "Kept aside a status or ack about a document: not recorded")
            }
        }
        if try await isRepeat(document, record: light) {
            // Delivered before (or a conflict, kept aside): its segments are read and dropped.
            unlink(path)
            segments.withLock {
                $0.begin(key, sha256: signed.sha256, segment: segment, record: record, now: .now, discarding: true)
            }
            return []
        }
        segments.withLock { $0.begin(key, sha256: signed.sha256, segment: segment, record: record, now: .now, discarding: false) }
        if again {
            logger.info("A document in segments starts over", metadata: [LogKey.documentID: "\(signed.id)", LogKey.agency: "\(signed.from)"])
        }
        try DurableFiles.createFolder(partialFolder)
        try append(record.value, to: path, truncating: true)
        return try await took(key, record: record, document: document)
    }

    /// After a segment's bytes are written: takes them, and ends the document when it is complete or refused.
    private func took(_ key: SegmentTracker.Key, record: KafkaRecord, document: VerifiedDocument) async throws -> [KafkaRecord] {
        switch segments.withLock({ $0.take(key, bytes: record.value) }) {
        case .partial:
            return []
        case .refuse(let errorClass, let reason):
            return try await giveUp(key, because: "\(errorClass.rawValue): \(reason)")
        case .complete:
            return try await complete(key, document: document)
        }
    }

    /// The whole document is in its file, with the signed digest and size: the edXML is read from
    /// the file and checked as the verifier checks a whole record, then it is handed over.
    private func complete(_ key: SegmentTracker.Key, document: VerifiedDocument) async throws -> [KafkaRecord] {
        let signed = document.envelope.signed
        let path = partialPath(key)
        if DocumentVerifier.isEdXML(contentType: signed.contentType) {
            do {
                let header = try EdXMLReader.readHeader(contentsOf: URL(fileURLWithPath: path))
                try EdXMLConsistency.check(header, from: signed.from, to: signed.to)
            } catch {
                return try await giveUp(key, because: "malformed: \(error)")
            }
        }
        guard let partial = segments.withLock({ $0.finish(key) }) else { return [] }
        try DurableFiles.sync(path)
        let size = partial.assembly.documentSize
        try await deliver(document, record: partial.first, body: .file(path: path, size: size))
        unlink(path)
        logger.info("Received in segments", metadata: [
            LogKey.documentID: "\(signed.id)", LogKey.agency: "\(signed.from)", "segments": "\(partial.assembly.count)",
            "bytes": "\(size)",
        ])
        return partial.held
    }

    /// Gives a document in progress up: its partial file deleted, noted in `refused/` with the
    /// reason (a repeat being dropped is only forgotten); returns its records to mark.
    func giveUp(_ key: SegmentTracker.Key, because reason: String) async throws -> [KafkaRecord] {
        guard let partial = segments.withLock({ $0.finish(key) }) else { return [] }
        unlink(partialPath(key))
        if !partial.discarding {
            try await refuse(
                partial.first, because: reason, message: "Gave up a document received in segments", sha256: partial.assembly.sha256)
        }
        return partial.held
    }

    /// A record that fails verification while a document of its key is in progress (a segment
    /// altered, or an abort marker that does not verify): that document is given up. nil when
    /// the record is not a segment of one.
    func refuseInProgress(_ record: KafkaRecord, because reason: String) async throws -> [KafkaRecord]? {
        guard record.headers.string(named: HeaderName.segment) != nil,
              let from = record.headers.string(named: HeaderName.from), let id = record.headers.string(named: HeaderName.id)
        else { return nil }
        let key = SegmentTracker.Key(topic: record.topic, partition: record.partition, from: from, id: id)
        guard segments.withLock({ $0.partials[key] != nil }) else { return nil }
        var light = record
        light.value = []
        segments.withLock { $0.hold(key, light) }
        return try await giveUp(key, because: reason)
    }

    /// Gives up the documents without a segment for `receive.segment-timeout` (class
    /// `incomplete`); returns their records to mark.
    func abandonStale(at now: ContinuousClock.Instant) async throws -> [KafkaRecord] {
        try await turns.run {
            var done: [KafkaRecord] = []
            for key in segments.withLock({ $0.stale(at: now, timeout: segmentTimeout) }) {
                guard let partial = segments.withLock({ $0.partials[key] }) else { continue }
                let (errorClass, reason) = partial.assembly.abandoned(idle: segmentTimeout, setting: "receive.segment-timeout")
                done += try await giveUp(key, because: "\(errorClass.rawValue): \(reason)")
            }
            return done
        }
    }

    /// Partial files of an earlier run: their documents are read again from their first segment
    /// (their offsets were not committed past it), so they are deleted.
    func removeLeftoverPartials() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialFolder)) ?? []
        for name in names { unlink((partialFolder as NSString).appendingPathComponent(name)) }
        if !names.isEmpty {
            logger.notice("Deleted partial documents of an earlier run: they are read again", metadata: ["count": "\(names.count)"])
        }
    }

    /// The partial file of a document: its sender and id, where it is read.
    func partialPath(_ key: SegmentTracker.Key) -> String {
        (partialFolder as NSString).appendingPathComponent(FileNames.safe("\(key.from)-\(key.id)-\(key.topic)-\(key.partition)") + ".part")
    }

    private func append(_ bytes: [UInt8], to path: String, truncating: Bool) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncating ? O_TRUNC : O_APPEND), 0o600)
        guard descriptor >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        try DurableFiles.append(bytes, descriptor: descriptor, path: path)
    }

    /// An abort marker's reason: `dr-error-class: dr-error`.
    static func abortReason(_ record: KafkaRecord) -> String {
        let errorClass = record.headers.string(named: HeaderName.errorClass) ?? "aborted"
        let error = record.headers.string(named: HeaderName.error) ?? "the document was given up by a hub"
        return "\(errorClass): \(error) (abort marker \(record.headers.string(named: HeaderName.segment) ?? ""))"
    }
}
