import Synchronization

/// The admin server's bound address, for whoever waits for it (tests with port 0, the CLI).
final class ListeningAddress: Sendable {
    private enum State {
        case waiting(waiters: [Int: CheckedContinuation<AdminServer.Address, any Error>], nextID: Int)
        case listening(AdminServer.Address)
        case stopped
    }

    private let state = Mutex(State.waiting(waiters: [:], nextID: 0))

    /// Records the address and wakes every waiter.
    func listen(at address: AdminServer.Address) {
        let waiters = state.withLock { state -> [CheckedContinuation<AdminServer.Address, any Error>] in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .listening(address)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }

    /// The server stopped: later waits fail, and so do the current ones if it never listened.
    func stop() {
        let waiters = state.withLock { state -> [CheckedContinuation<AdminServer.Address, any Error>] in
            defer { state = .stopped }
            guard case .waiting(let waiters, _) = state else { return [] }
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: AdminServer.NotListening()) }
    }

    /// The address once listening.
    func wait() async throws -> AdminServer.Address {
        let id = state.withLock { state -> Int in
            guard case .waiting(let waiters, let nextID) = state else { return -1 }
            state = .waiting(waiters: waiters, nextID: nextID + 1)
            return nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<AdminServer.Address, any Error>? in
                    switch state {
                    case .listening(let address):
                        return .success(address)
                    case .stopped:
                        return .failure(AdminServer.NotListening())
                    case .waiting(var waiters, let nextID):
                        // A cancellation that came before this registration finds nothing to resume.
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .waiting(waiters: waiters, nextID: nextID)
                        return nil
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<AdminServer.Address, any Error>? in
                guard case .waiting(var waiters, let nextID) = state, let waiter = waiters.removeValue(forKey: id) else {
                    return nil
                }
                state = .waiting(waiters: waiters, nextID: nextID)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
