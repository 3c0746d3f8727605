import Synchronization

/// The key of a cache entry: the SHA-256 of the embedded certificates and signer identifier as
/// encoded, and the generation of the trust store they were checked against.
struct SignerCacheKey: Hashable, Sendable {
    let digest: [UInt8]
    let generation: UInt64
}

/// A bounded map from `SignerCacheKey` to `CachedSigner`, safe to share between threads.
///
/// When full, an insertion evicts an entry by the CLOCK rule (second chance): entries used
/// since the hand last passed are kept one more round, so the certificates of active agencies
/// stay while one-off ones are evicted first.
final class SignerCache: Sendable {
    private struct Slot {
        var key: SignerCacheKey
        var value: CachedSigner
        var referenced: Bool
    }

    private struct State {
        var index: [SignerCacheKey: Int] = [:]
        var slots: [Slot] = []
        var hand = 0
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State())
    }

    func value(for key: SignerCacheKey) -> CachedSigner? {
        state.withLock { state in
            guard let position = state.index[key] else { return nil }
            state.slots[position].referenced = true
            return state.slots[position].value
        }
    }

    func insert(_ value: CachedSigner, for key: SignerCacheKey) {
        state.withLock { state in
            if let position = state.index[key] {
                state.slots[position].value = value
                return
            }
            let slot = Slot(key: key, value: value, referenced: false)
            if state.slots.count < capacity {
                state.index[key] = state.slots.count
                state.slots.append(slot)
                return
            }
            while state.slots[state.hand].referenced {
                state.slots[state.hand].referenced = false
                state.hand = (state.hand + 1) % state.slots.count
            }
            state.index[state.slots[state.hand].key] = nil
            state.slots[state.hand] = slot
            state.index[key] = state.hand
            state.hand = (state.hand + 1) % state.slots.count
        }
    }

    var count: Int {
        state.withLock { $0.slots.count }
    }
}
