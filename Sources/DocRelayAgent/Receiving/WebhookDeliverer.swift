import AsyncHTTPClient
import DocRelayCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Posts received documents to the agency's webhook: the value as the body, `Content-Type` the
/// document's, and its `dr-*` headers as HTTP headers (the webhook may check the signature
/// itself and drop repeats by `dr-id`). Any 2xx accepts it; anything else, or no answer within
/// the timeout, is tried again with a doubling delay until `giveUpAfter` has passed.
struct WebhookDeliverer: Sendable {
    let configuration: AgentConfiguration.Webhook
    let client: HTTPClient
    let logger: Logger

    /// How the delivery ended.
    enum Outcome: Sendable, Equatable {
        case delivered(attempts: Int)
        case gaveUp(attempts: Int, lastError: String)
    }

    /// A request body: the bytes at hand, or a file (a document received in segments) streamed
    /// from disk in 256 KiB pieces at each attempt. AsyncHTTPClient takes any `AsyncSequence`
    /// of `ByteBuffer`s with a known length (`Content-Length`), so a 64 MiB document is never a
    /// 64 MiB `ByteBuffer`.
    enum Body: Sendable {
        case bytes([UInt8])
        case file(path: String, size: Int)
    }

    /// Tries until accepted or given up; a cancellation (shutdown) is thrown, not given up.
    func deliver(_ value: [UInt8], headers: [(name: String, value: String)], contentType: String, id: String) async throws -> Outcome {
        try await deliver(body: .bytes(value), headers: headers, contentType: contentType, id: id)
    }

    func deliver(body value: Body, headers: [(name: String, value: String)], contentType: String, id: String) async throws -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.giveUpAfter)
        var delay = configuration.firstRetry
        var attempts = 0
        while true {
            attempts += 1
            let failure: String
            do {
                let status = try await post(value, headers: headers, contentType: contentType)
                if (200..<300).contains(status) { return .delivered(attempts: attempts) }
                failure = "the webhook answered HTTP \(status)"
            } catch {
                try Task.checkCancellation()
                failure = "\(error)"
            }
            if clock.now.advanced(by: delay) > deadline { return .gaveUp(attempts: attempts, lastError: failure) }
            logger.warning("Webhook delivery failed; trying again", metadata: [
                LogKey.documentID: "\(id)", LogKey.error: "\(failure)", "attempt": "\(attempts)", "retryIn": "\(delay)",
            ])
            try await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.maxRetry)
        }
    }

    /// One attempt: nil when accepted, else why not.
    func attemptOnce(body value: Body, headers: [(name: String, value: String)], contentType: String) async -> String? {
        do {
            let status = try await post(value, headers: headers, contentType: contentType)
            return (200..<300).contains(status) ? nil : "the webhook answered HTTP \(status)"
        } catch {
            return "\(error)"
        }
    }

    /// One POST; the HTTP status.
    private func post(_ value: Body, headers: [(name: String, value: String)], contentType: String) async throws -> Int {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        switch value {
        case .bytes(let bytes): request.body = .bytes(ByteBuffer(bytes: bytes))
        case .file(let path, let size): request.body = .stream(FilePieces(path: path), length: .known(Int64(size)))
        }
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeout.components.seconds * 1_000
            + configuration.timeout.components.attoseconds / 1_000_000_000_000_000))
        let response = try await client.execute(request, timeout: timeout, logger: logger)
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}

/// A file's bytes as `ByteBuffer`s of at most 256 KiB, read as the HTTP client asks for them.
struct FilePieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        var handle: FileHandle?
        var ended = false

        mutating func next() async throws -> ByteBuffer? {
            guard !ended else { return nil }
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else {
                    throw FileError(path: path, operation: "open", errno: ENOENT)
                }
                handle = opened
            }
            guard let piece = try handle?.read(upToCount: 256 * 1024), !piece.isEmpty else {
                ended = true
                try? handle?.close()
                return nil
            }
            return ByteBuffer(bytes: piece)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path) }
}
