import Foundation

/// Runs blocking work on a thread of its own, never on the cooperative pool (see
/// field-notes.md: a blocking librdkafka poll on the pool starves everything else).
enum DedicatedThread {
    static func run<T: Sendable>(
        name: String, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.start()
        }
    }
}
