@testable import DocRelay
import DocRelayCore
import DocRelayTestSupport
import Foundation
import Testing

@Suite("Events and acks: hand-written JSON equal to JSONEncoder's")
struct RecordEncodingTests {
    private func reference<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private static let texts = [
        "", "plain", "Công văn số 1/UBND", "quote \" backslash \\ slash /", "line\nbreak\ttab\rcr",
        "\u{01}\u{1f}\u{7f}", "emoji 🇻🇳", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
    ]

    @Test("Random events encode byte for byte as JSONEncoder encodes them, and decode back")
    func events() throws {
        var random = SeededGenerator(seed: 1129)
        func text() -> String { Self.texts[Int.random(in: 0..<Self.texts.count, using: &random)] }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &random) ? value() : nil }
        let kinds: [RelayEvent.Kind] = [.accepted, .delivered, .forwarded, .retried, .deadLettered, .replayed, .acked]
        for _ in 0..<2000 {
            var event = RelayEvent(event: kinds[Int.random(in: 0..<kinds.count, using: &random)], id: text(), hub: text(),
                                   instance: text(), at: text())
            event.kind = maybe(text())
            event.from = maybe(text())
            event.to = maybe((0..<Int.random(in: 0...3, using: &random)).map { _ in text() })
            event.recipient = maybe(text())
            event.topic = maybe(text())
            event.partition = maybe(Int32.random(in: -1...1000, using: &random))
            event.offset = maybe(Int64.random(in: 0...Int64.max, using: &random))
            event.target = maybe(text())
            event.attempt = maybe(Int.random(in: 0...5, using: &random))
            event.notBefore = maybe(text())
            event.errorClass = maybe(text())
            event.reason = maybe(text())
            event.deadLetter = maybe(text())
            event.latencyMilliseconds = maybe(Int.random(in: 0...100_000, using: &random))
            let encoded = event.encoded()
            #expect(encoded == (try reference(event)), "\(String(decoding: encoded, as: UTF8.self))")
            #expect(RelayEvent.decode(encoded) == event)
        }
    }

    @Test("Acks encode as JSONEncoder encodes them, and decode back")
    func acks() throws {
        for text in Self.texts {
            for reason in [nil, text] {
                let ack = AckMessage(ref: text, recipient: "000.00.00.H58", outcome: .failed, hub: "national", at: text, reason: reason)
                #expect(ack.encoded() == (try reference(ack)))
                #expect(AckMessage.decode(ack.encoded()) == ack)
            }
        }
    }
}
