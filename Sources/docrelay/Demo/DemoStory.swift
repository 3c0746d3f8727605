import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation

/// What the demo's agencies do: sign and send documents, and watch their inboxes and the
/// dead-letter topic, reading topics to their end as operators' tools do.
struct DemoStory {
    let topics: TopicNames
    let producer: KafkaProducer
    let reader: KafkaTopicReader
    let identities: [String: SigningIdentity]

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "the demo waited in vain for \(what)" }
    }

    func send(_ text: String, id: String, from: String, to: [String], tamper: Bool = false) async throws {
        guard let identity = identities[from] else { throw Timeout(what: "a certificate for \(from)") }
        let value = Array(text.utf8)
        let signed = try DocumentSigner.sign(
            value, draft: DocumentDraft(id: id, from: from, to: to, contentType: "text/plain"), identity: identity)
        var sent = value
        if tamper { sent += Array(" (sửa đổi)".utf8) }
        try await producer.send(KafkaProducerRecord(
            topic: topics.out(from), key: Array(id.utf8), value: sent,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
    }

    func waitForDocument(_ id: String, in code: String, within limit: Duration = .seconds(30)) async throws -> KafkaRecord {
        try await poll(limit, "\(id) in \(topics.inbox(code))") {
            try await reader.readAll(topics.inbox(code)).first {
                $0.headers.string(named: HeaderName.id) == id
            }
        }
    }

    func waitForAcks(_ ref: String, to code: String, count: Int, within limit: Duration = .seconds(30)) async throws -> [AckMessage] {
        try await poll(limit, "\(count) ack(s) of \(ref) for \(code)") {
            let acks = try await reader.readAll(topics.inbox(code))
                .filter { $0.headers.string(named: HeaderName.kind) == "ack" }
                .compactMap { AckMessage.decode($0.value) }
                .filter { $0.ref == ref }
            return acks.count >= count ? acks : nil
        }
    }

    func waitForDeadLetter(_ id: String, within limit: Duration = .seconds(30)) async throws -> DeadLetter {
        try await poll(limit, "the dead letter of \(id)") {
            try await reader.readAll(topics.deadLetters).map(DeadLetter.init).first { $0.id == id }
        }
    }

    private func poll<T>(_ limit: Duration, _ what: String, _ attempt: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if let value = try await attempt() { return value }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Timeout(what: what)
    }
}
