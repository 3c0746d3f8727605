import DocRelayCore
import DocRelayDocuments
import Foundation
import Logging
import Synchronization

/// Sends what appears in the spool's `outbox/`: each document is signed and recorded, published,
/// and moved to `sent/` once the broker acknowledged it; a document that cannot be sent is moved
/// to `rejected/` with its reason. A crash at any point leaves the file in `outbox/` (until it
/// is in `sent/`) and its record in the store, so the next run publishes it with the same id.
final class SpoolSender: Sendable {
    let spool: SpoolFolder
    let outbox: DocumentOutbox
    let store: AgentStore
    let scanInterval: Duration
    let concurrency: Int
    let logger: Logger
    /// Told what waits in `outbox/` and what is sent, for `/healthz`.
    let status: AgentStatus
    /// How long a non-edXML document without a sidecar waits for it before it is rejected.
    let sidecarGrace: TimeInterval = 5
    private let inFlight = Mutex<Set<String>>([])
    /// Large documents (sent in segments) take turns, one at a time.
    private let largeDocuments = AsyncTurns()

    init(
        spool: SpoolFolder, outbox: DocumentOutbox, store: AgentStore, scanInterval: Duration, concurrency: Int,
        status: AgentStatus, logger: Logger
    ) {
        self.spool = spool
        self.outbox = outbox
        self.store = store
        self.scanInterval = scanInterval
        self.concurrency = concurrency
        self.status = status
        self.logger = logger
    }

    /// Scans until cancelled; each scan's documents are sent `concurrency` at a time.
    func run() async {
        await withdrawVanished()
        while !Task.isCancelled {
            await scanOnce()
            try? await Task.sleep(for: scanInterval)
        }
    }

    /// Documents taken by an earlier run whose file left `outbox/` by other means than this
    /// agent (removed by hand): published ones are archived, queued ones withdrawn.
    func withdrawVanished() async {
        do {
            for record in try await store.unarchivedSpoolDocuments() {
                guard let name = record.fileName, !FileManager.default.fileExists(atPath: spool.path(of: name)) else { continue }
                if record.state == .queued {
                    logger.warning("A spool document left outbox/ before it was published: withdrawn", metadata: [
                        LogKey.documentID: "\(record.id)", "file": "\(name)",
                    ])
                    try await store.markWithdrawn(id: record.id)
                } else {
                    try await store.markArchived(id: record.id)
                }
            }
        } catch {
            logger.error("Cannot look for vanished spool documents", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// One pass over `outbox/`: returns when every document found was sent, rejected or failed.
    func scanOnce() async {
        let names = spool.documents().filter { name in inFlight.withLock { $0.insert(name).inserted } }
        status.spoolWaiting(names.count)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for name in names {
                if Task.isCancelled { break }
                if running >= concurrency {
                    await group.next()
                    running -= 1
                }
                status.taken()
                group.addTask { self.status.ended(progressed: await self.send(name)) }
                running += 1
            }
        }
        inFlight.withLock { $0.subtract(names) }
    }

    /// Sends one file; returns whether it reached its outcome (in `sent/` or `rejected/`).
    private func send(_ name: String) async -> Bool {
        // Never read a file the home hub would refuse for its size (max-document-bytes): a huge
        // file must not fill memory.
        if let size = spool.size(of: name), let error = outbox.preparer.sizeRefusal(size) {
            logger.warning("Rejected a spool document", metadata: ["file": "\(name)", LogKey.error: "\(error)"])
            try? spool.reject(name, because: error)
            return true
        }
        // One document over one record's limit at a time (the others of the scan, small, go on
        // meanwhile): `concurrency` large documents held at once could be gigabytes.
        if let size = spool.size(of: name), outbox.segmentation.isSegmented(size: size) {
            return (try? await largeDocuments.run { await self.read(andSend: name) }) ?? false
        }
        return await read(andSend: name)
    }

    private func read(andSend name: String) async -> Bool {
        // The document is held in memory once, as its bytes: the signer hashes them and reads the
        // edXML header from them, and a large one's segments are cut from them a few at a time
        // (DocumentOutbox), never copied whole again.
        guard let value = try? Self.read(spool.path(of: name)) else { return false }
        do {
            let record = try await recordToSend(name, value: value)
            guard let record else { return false }
            if record.state == .queued {
                try await outbox.publish(record, value: value)
            }
            try spool.moveToSent(name)
            try await store.markArchived(id: record.id)
            return true
        } catch let error as SubmissionError {
            logger.warning("Rejected a spool document", metadata: ["file": "\(name)", LogKey.error: "\(error)"])
            do {
                try spool.reject(name, because: error)
                return true
            } catch {
                logger.error("Cannot move a document to rejected/", metadata: ["file": "\(name)", LogKey.error: "\(error)"])
                return false
            }
        } catch {
            // Broker or file trouble: the document stays in outbox/, tried again next scan.
            logger.warning("Not sent yet", metadata: ["file": "\(name)", LogKey.error: "\(error)"])
            return false
        }
    }

    /// The file's bytes, read straight into one array (not a `Data` then a copy).
    static func read(_ path: String) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        if let size = try? handle.seekToEnd() {
            bytes.reserveCapacity(Int(size))  // one allocation, not a doubling array's copies
            try handle.seek(toOffset: 0)
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    /// The record this file was taken as before (a restart), or a new one; nil when the
    /// document must wait (a non-edXML file whose sidecar may still come).
    private func recordToSend(_ name: String, value: [UInt8]) async throws -> OutgoingRecord? {
        let digest = SHA256Hex.of(value)
        if let earlier = try await store.unarchivedOutgoing(fileName: name) {
            if earlier.sha256 == digest { return earlier }
            // Replaced before it was published: the earlier content is gone, the new one is a new document.
            if earlier.state == .queued {
                try await store.markWithdrawn(id: earlier.id)
            } else {
                try await store.markArchived(id: earlier.id)
            }
        }
        let metadata = try spool.metadata(of: name)
        // edXML routes itself, readable or not: one that cannot be read is rejected with the
        // reader's reason (DocumentSigner), never kept waiting for a sidecar it does not need.
        if metadata == nil, !DocumentSigner.isTakenForEdXML(value, fileName: name) {
            guard spool.age(of: name) >= sidecarGrace else { return nil }
            throw SubmissionError(
                "malformed", field: nil,
                "not an edXML document, and no \(name)\(SpoolFolder.sidecarSuffix) names its recipients (move the sidecar in first)")
        }
        return try await outbox.take(
            DocumentSubmission(
                value: value, metadata: metadata ?? .unsigned(id: nil, kind: nil, to: nil, ref: nil, contentType: nil),
                fileName: name),
            source: .spool, fileName: name)
    }
}
