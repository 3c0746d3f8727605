import DocRelayCore
import Foundation
import DocRelayTestSupport
import Testing

/// Checks what any decoded envelope must satisfy; returns a reason when it does not.
private func violation(_ envelope: Envelope) -> String? {
    let base = envelope.signed.signatureBase
    if base.filter({ $0 == 0x0A }).count != 8 { return "the signature base is not nine lines" }
    let again = try? Envelope.decode(headers: envelope.headers.map { ($0.name, $0.value) }, valueLength: 0)
    if again != envelope { return "encoding then decoding changed the envelope" }
    if envelope.signed.to.isEmpty { return "no recipient" }
    if (try? envelope.signed.signatureBytes()) == nil { return "the signature does not decode" }
    return nil
}

@Suite("Properties: the envelope decoder never crashes, hangs or accepts what it cannot re-encode")
struct EnvelopePropertyTests {
    @Test("Random headers: refused with a reason, or decoded consistently", .timeLimit(.minutes(1)))
    func randomHeaders() {
        var generator = SeededGenerator(seed: 0xD0C_2E1A)
        let names = HeaderName.signed + HeaderName.relay + ["dr-", "x-trace"]
        let valid = SampleEnvelope.headers
        var decoded = 0
        let elapsed = measure {
            for index in 0..<10_000 {
                var headers: [(name: String, value: [UInt8]?)] = []
                for _ in 0..<Int.random(in: 0..<24, using: &generator) {
                    let name = names[Int.random(in: 0..<names.count, using: &generator)]
                    let value: [UInt8]?
                    switch Int.random(in: 0..<10, using: &generator) {
                    case 0: value = nil
                    case 1...4: value = generator.bytes(Int.random(in: 0..<48, using: &generator))
                    default: value = valid.first { $0.name == name }?.value ?? generator.bytes(4)
                    }
                    headers.append((name, value))
                }
                do throws(EnvelopeError) {
                    let envelope = try Envelope.decode(headers: headers, valueLength: Int.random(in: 0...2_000_000, using: &generator))
                    decoded += 1
                    if let reason = violation(envelope) { Issue.record("case \(index): \(reason)") }
                } catch {
                    if error.description.isEmpty { Issue.record("case \(index): an error without a reason") }
                }
            }
        }
        #expect(elapsed < .seconds(5))
        #expect(decoded < 10_000)
    }

    @Test("Mutations of a valid record: refused with a reason, or decoded consistently", .timeLimit(.minutes(1)))
    func mutatedHeaders() {
        var generator = SeededGenerator(seed: 0xE7E1_0FE5)
        let valid = SampleEnvelope.headers
        let tokens = [",", " ", "\n", "=", "hub:", "Z", ".", "00", "\u{0}", "đ"].map { Array($0.utf8) }
        var decoded = 0
        var refused = 0
        let elapsed = measure {
            for index in 0..<10_000 {
                var headers = valid
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    guard !headers.isEmpty else { break }
                    let position = Int.random(in: 0..<headers.count, using: &generator)
                    switch Int.random(in: 0..<6, using: &generator) {
                    case 0: headers.remove(at: position)
                    case 1: headers.append(headers[position])
                    case 2: headers[position].value = nil
                    case 3: headers.swapAt(position, Int.random(in: 0..<headers.count, using: &generator))
                    default:
                        headers[position].value = Mutator.mutate(
                            headers[position].value ?? [], tokens: tokens, maxEdits: 3, using: &generator)
                    }
                }
                do throws(EnvelopeError) {
                    let envelope = try Envelope.decode(headers: headers, valueLength: 100)
                    decoded += 1
                    if let reason = violation(envelope) { Issue.record("case \(index): \(reason)") }
                } catch {
                    refused += 1
                    if error.message.isEmpty { Issue.record("case \(index): an error without a reason") }
                }
            }
        }
        #expect(elapsed < .seconds(5))
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(decoded > 100)
        #expect(refused > 1_000)
    }

    @Test("Base64: strict decoding agrees with Foundation's encoder, and accepts nothing Foundation would not", .timeLimit(.minutes(1)))
    func base64() throws {
        var generator = SeededGenerator(seed: 64)
        func signed(_ signature: String) -> SignedHeaders {
            SignedHeaders(id: "x", kind: .edoc, from: "a", to: ["b"], created: "", createdDate: Date(timeIntervalSince1970: 0),
                          contentType: "a/b", ref: "", sha256: "", signature: signature)
        }
        for index in 0..<3_000 {
            let bytes = generator.bytes(Int.random(in: 1..<200, using: &generator))
            let text = Data(bytes).base64EncodedString()
            #expect(try signed(text).signatureBytes() == bytes, "case \(index)")
            let mutated = String(decoding: Mutator.mutate(Array(text.utf8), tokens: [Array("=".utf8)], maxEdits: 2, using: &generator), as: UTF8.self)
            if let decoded = try? signed(mutated).signatureBytes() {
                #expect(Data(base64Encoded: mutated).map(Array.init) == decoded, "case \(index): \(mutated)")
            }
        }
    }
}
