import DocRelayCore
import Foundation
import Testing

@Suite("Envelope: headers decode and encode back unchanged")
struct EnvelopeRoundTripTests {
    @Test("Headers → decode → headers: equal, name for name and byte for byte")
    func roundTrip() throws {
        let input = SampleEnvelope.headers
        let envelope = try SampleEnvelope.decode(input)
        let output = envelope.headers
        #expect(output.map(\.name) == input.map(\.name))
        #expect(output.map(\.value) == input.map { $0.value ?? [] })
        #expect(try SampleEnvelope.decode(output.map { ($0.name, $0.value) }) == envelope)
    }

    @Test("Decoded fields")
    func fields() throws {
        let envelope = try SampleEnvelope.decode(SampleEnvelope.headers)
        let signed = envelope.signed
        #expect(signed.id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
        #expect(signed.kind == .edoc)
        #expect(signed.from == "000.00.00.G22")
        #expect(signed.to == ["000.00.00.H41", "000.00.00.H14", "vxp.saas.03"])
        #expect(signed.created == "2026-11-29T01:02:03.250Z")
        #expect(signed.createdDate == Date(timeIntervalSince1970: 1_795_914_123.25))
        #expect(signed.contentType == "application/edxml+xml")
        #expect(signed.ref == "")
        #expect(signed.sha256 == SampleEnvelope.sha256)
        #expect(try signed.signatureBytes() == (0..<300).map { UInt8($0 % 256) })
        #expect(signed.hubSender == nil)
        let relay = envelope.relay
        #expect(relay.hops == ["h58/relay-1/2026-11-29T01:02:04Z", "national/relay-2/2026-11-29T01:02:05Z"])
        #expect(relay.attempt == 2)
        #expect(relay.notBeforeDate == Date(timeIntervalSince1970: 1_795_914_185))
        #expect(relay.errorClass == "exhausted")
        #expect(relay.error == "broker down: timed out\nafter 3 tries")
        #expect(relay.originTopic == "docrelay.out.000.00.00.G22")
        #expect(relay.originPartition == 3)
        #expect(relay.originOffset == 1_234_567_890_123)
        #expect(relay.deadLetteredDate == Date(timeIntervalSince1970: 1_795_917_600))
        #expect(relay.replayed == "2026-11-29T03:00:00Z")
    }

    @Test("Only signed headers: the relay part is empty; unknown headers are ignored")
    func signedOnly() throws {
        let headers = Array(SampleEnvelope.headers.prefix(9)) + [("traceparent", Array("00-abc".utf8)), ("dr-future", nil)]
        let envelope = try SampleEnvelope.decode(headers)
        #expect(envelope.relay == RelayHeaders())
        #expect(envelope.headers.count == 9)
        #expect(envelope.relay.headers.isEmpty)
    }

    @Test("Order of headers does not matter to decoding")
    func anyOrder() throws {
        let envelope = try SampleEnvelope.decode(SampleEnvelope.headers.reversed())
        #expect(envelope.signed.id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
        // Hops keep their own order.
        #expect(envelope.relay.hops.first == "national/relay-2/2026-11-29T01:02:05Z")
    }

    @Test("Statuses and acks: a ref, and for an ack a hub sender")
    func statusAndAck() throws {
        var headers = SampleEnvelope.replacing("dr-kind", with: "ack")
        headers = headers.map { header in
            switch header.name {
            case "dr-from": ("dr-from", Array("hub:national".utf8))
            case "dr-ref": ("dr-ref", Array("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT".utf8))
            case "dr-content-type": ("dr-content-type", Array("application/json".utf8))
            default: header
            }
        }
        let ack = try SampleEnvelope.decode(headers)
        #expect(ack.signed.kind == .ack)
        #expect(ack.signed.hubSender == "national")
        #expect(ack.signed.ref == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")

        var status = SampleEnvelope.replacing("dr-kind", with: "status")
        status = status.map { $0.name == "dr-ref" ? ("dr-ref", Array("doc-1".utf8)) : $0 }
        #expect(try SampleEnvelope.decode(status).signed.kind == .status)
    }

    @Test("A dr-ref without a value reads as empty; built headers decode")
    func nullRef() throws {
        let envelope = try SampleEnvelope.decode(SampleEnvelope.replacing("dr-ref", with: nil))
        #expect(envelope.signed.ref == "")

        var built = SignedHeaders(
            id: "doc-1", kind: .edoc, from: "000.00.00.G22", to: ["000.00.00.H58"],
            createdAt: Date(timeIntervalSince1970: 1_795_914_123.9), contentType: "application/pdf",
            sha256: SampleEnvelope.sha256)
        #expect(built.created == "2026-11-29T01:02:03Z")
        built.signature = SampleEnvelope.signature
        let decoded = try Envelope.decode(headers: built.headers.map { ($0.name, $0.value) }, valueLength: 0)
        #expect(decoded.signed == built)
    }
}
