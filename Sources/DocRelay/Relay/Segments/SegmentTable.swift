import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Synchronization

/// What the relay holds of one large document while its segments pass (never its bytes).
struct SegmentProgress: Sendable {
    enum Phase: Sendable {
        /// Segments are being passed on.
        case passing(SegmentAssembly)
        /// Refused, abandoned or a replay: its remaining segments are skipped.
        case ended
    }

    var phase: Phase
    /// The document's signed headers, as its first segment verified.
    let signed: SignedHeaders
    /// The first segment as read, without its value: for the dead letter and abort markers.
    let first: KafkaRecord
    /// The first segment's `dr-segment`.
    let segment: DocumentSegment
    /// The sender, when authentic (it is told of a refusal).
    let authentic: AgencyCode?
    /// The acceptance ledger's entry to write with the document's outcome (first read from an
    /// `out` topic).
    var ledger: AcceptanceEntry?
    var destinations = SegmentDestinations()
    /// Records taken whose offsets wait for the document's outcome (values dropped).
    var held: [KafkaRecord] = []
    /// When its last segment was taken.
    var lastSegmentAt: Date
}

/// The large documents in progress on this relay instance, by `SegmentKey`. A worker takes a
/// document's entry out while it handles one of its segments (`SegmentOrder` gives it the turn),
/// and puts it back; the watch for abandoned documents only sees entries at rest.
final class SegmentTable: Sendable {
    private let entries = Mutex<[SegmentKey: SegmentProgress]>([:])

    func take(_ key: SegmentKey) -> SegmentProgress? {
        entries.withLock { $0.removeValue(forKey: key) }
    }

    func put(_ progress: SegmentProgress, for key: SegmentKey) {
        entries.withLock { $0[key] = progress }
    }

    /// Documents in progress (for metrics and tests).
    var count: Int { entries.withLock { $0.count } }

    /// Takes out the entries whose last segment is older than `timeout` at `now`: documents
    /// still passing (to give up as `incomplete`) and ended ones (forgotten), and those of
    /// partitions this instance no longer holds (`holds`; their next owner reads them again).
    func expire(now: Date, timeout: Duration, holds: (String, Int32) -> Bool) -> [(SegmentKey, SegmentProgress)] {
        let limit = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return entries.withLock { entries in
            let due = entries.filter { key, progress in
                !holds(key.topic, key.partition) || now.timeIntervalSince(progress.lastSegmentAt) >= limit
            }
            for key in due.keys { entries[key] = nil }
            return due.map { ($0.key, $0.value) }.filter { holds($0.0.topic, $0.0.partition) }
        }
    }
}
