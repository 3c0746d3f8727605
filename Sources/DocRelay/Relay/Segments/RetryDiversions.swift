import DocRelayKafka
import Synchronization

/// In the retry tiers, the recipients of a large document whose segment failed again at an
/// attempt: the document's later segments at that attempt go on to the next tier without
/// being attempted, so that each recipient still gets the segments in order (contract,
/// "Large documents"). In memory: a retry lane takes one partition's records in order, and
/// every segment of a document is in one partition of a tier. Forgotten with the document's
/// last segment or abort marker.
final class RetryDiversions: Sendable {
    struct Key: Hashable, Sendable {
        let from: String
        let id: String
        let attempt: Int
    }

    private let diverted = Mutex<[Key: Set<String>]>([:])

    func recipients(_ key: Key) -> Set<String> {
        diverted.withLock { $0[key] ?? [] }
    }

    func add(_ recipients: Set<String>, for key: Key) {
        guard !recipients.isEmpty else { return }
        diverted.withLock { $0[key, default: []].formUnion(recipients) }
    }

    func forget(from: String, id: String) {
        diverted.withLock { $0 = $0.filter { $0.key.from != from || $0.key.id != id } }
    }
}
