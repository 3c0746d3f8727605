import Synchronization

/// Admission by bytes. The relay's workers reserve the largest record size before
/// taking a record from the consumer, keep what the record needs while it is processed, and give
/// the rest back at once. So the bytes of records taken and not yet finished never exceed
/// `capacity`, whatever the number of workers (256 workers × a 1 MiB limit would otherwise hold
/// 256 MiB), while many small records are processed at once.
///
/// The agent holds the documents posted to it (`POST /v1/documents`, the SDK's `sendEdoc`) under
/// one too, so that concurrent uploads of large documents wait rather than each hold up to
/// `max-document-bytes`.
///
/// Waiters are served in order. A reservation larger than the whole capacity is granted alone,
/// when nothing else is held, so that no record can wait forever.
public final class ByteBudget: Sendable {
    private struct State {
        var held = 0
        var peak = 0
        var waiting: [(bytes: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// Bytes that may be held at once.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Bytes held now, and the most ever held.
    public var held: Int { state.withLock { $0.held } }
    public var peak: Int { state.withLock { $0.peak } }

    /// Waits until `bytes` fit, then holds them.
    public func acquire(_ bytes: Int) async {
        let bytes = max(bytes, 0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.waiting.isEmpty, Self.fits(bytes, held: state.held, capacity: capacity) {
                    state.held += bytes
                    state.peak = max(state.peak, state.held)
                    return true
                }
                state.waiting.append((bytes, continuation))
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives `bytes` back and wakes the waiters that now fit, in order.
    public func release(_ bytes: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.held -= max(bytes, 0)
            var ready: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiting.first, Self.fits(first.bytes, held: state.held, capacity: capacity) {
                state.held += first.bytes
                state.peak = max(state.peak, state.held)
                ready.append(first.continuation)
                state.waiting.removeFirst()
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private static func fits(_ bytes: Int, held: Int, capacity: Int) -> Bool {
        held + bytes <= capacity || held == 0
    }
}
