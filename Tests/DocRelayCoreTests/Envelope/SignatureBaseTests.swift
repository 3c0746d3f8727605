import DocRelayCore
import Foundation
import Testing

@Suite("Signature base: the contract's nine lines, byte for byte")
struct SignatureBaseTests {
    @Test("Nine lines joined by LF, no trailing LF, UTF-8")
    func literal() throws {
        let envelope = try SampleEnvelope.decode(SampleEnvelope.headers)
        let expected = "docrelay-v1\n"
            + "id:000.00.00.G22,2015/09/30,7816/VPCP-TTĐT\n"
            + "kind:edoc\n"
            + "from:000.00.00.G22\n"
            + "to:000.00.00.H41,000.00.00.H14,vxp.saas.03\n"
            + "created:2026-11-29T01:02:03.250Z\n"
            + "content-type:application/edxml+xml\n"
            + "ref:\n"
            + "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        let base = envelope.signed.signatureBase
        #expect(base == Array(expected.utf8))
        #expect(base.count == 272)
        #expect(base.last == UInt8(ascii: "8"))
        #expect(base.filter { $0 == 0x0A }.count == 8)
        // Đ is U+0110: two bytes in UTF-8.
        #expect(base.starts(with: Array("docrelay-v1\nid:000.00.00.G22,2015/09/30,7816/VPCP-TT".utf8) + [0xC4, 0x90]))
    }

    @Test("The signature is not part of the base; every signed field is")
    func coverage() throws {
        var signed = try SampleEnvelope.decode(SampleEnvelope.headers).signed
        let base = signed.signatureBase
        signed.signature = "AAAA"
        #expect(signed.signatureBase == base)
        for (name, value) in [("dr-id", "other"), ("dr-from", "000.00.00.H41"), ("dr-to", "000.00.00.H41"),
                              ("dr-created", "2026-11-29T01:02:03Z"), ("dr-content-type", "application/pdf"),
                              ("dr-sha256", String(repeating: "0", count: 64))] {
            let changed = try SampleEnvelope.decode(SampleEnvelope.replacing(name, with: value)).signed
            #expect(changed.signatureBase != base, "\(name) must change the base")
        }
        var status = SampleEnvelope.replacing("dr-kind", with: "status")
        status = status.map { $0.name == "dr-ref" ? ("dr-ref", Array("x".utf8)) : $0 }
        #expect(try SampleEnvelope.decode(status).signed.signatureBase != base)
    }
}
