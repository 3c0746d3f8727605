import DocRelayCore

/// A valid record's headers, as an agency would send them, and ways to alter them.
enum SampleEnvelope {
    static let sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    /// Base64 of 300 bytes (a signature's size is irrelevant to the envelope).
    static let signature = Base64Text.encode((0..<300).map { UInt8($0 % 256) })

    /// The names and values of `headers` together, in bytes (what `maxHeaderBytes` bounds).
    static var headerBytes: Int { headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) } }

    static var headers: [(name: String, value: [UInt8]?)] {
        [
            ("dr-id", Array("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT".utf8)),
            ("dr-kind", Array("edoc".utf8)),
            ("dr-from", Array("000.00.00.G22".utf8)),
            ("dr-to", Array("000.00.00.H41,000.00.00.H14,vxp.saas.03".utf8)),
            ("dr-created", Array("2026-11-29T01:02:03.250Z".utf8)),
            ("dr-content-type", Array("application/edxml+xml".utf8)),
            ("dr-ref", []),
            ("dr-sha256", Array(sha256.utf8)),
            ("dr-signature", Array(signature.utf8)),
            ("dr-hop", Array("h58/relay-1/2026-11-29T01:02:04Z".utf8)),
            ("dr-hop", Array("national/relay-2/2026-11-29T01:02:05Z".utf8)),
            ("dr-attempt", Array("2".utf8)),
            ("dr-not-before", Array("2026-11-29T01:03:05Z".utf8)),
            ("dr-error-class", Array("exhausted".utf8)),
            ("dr-error", Array("broker down: timed out\nafter 3 tries".utf8)),
            ("dr-origin-topic", Array("docrelay.out.000.00.00.G22".utf8)),
            ("dr-origin-partition", Array("3".utf8)),
            ("dr-origin-offset", Array("1234567890123".utf8)),
            ("dr-dead-lettered-at", Array("2026-11-29T02:00:00Z".utf8)),
            ("dr-replayed", Array("2026-11-29T03:00:00Z".utf8)),
        ]
    }

    /// The headers with `name`'s value replaced (every occurrence).
    static func replacing(_ name: String, with value: [UInt8]?) -> [(name: String, value: [UInt8]?)] {
        headers.map { $0.name == name ? (name, value) : $0 }
    }

    static func replacing(_ name: String, with text: String) -> [(name: String, value: [UInt8]?)] {
        replacing(name, with: Array(text.utf8))
    }

    static func decode(_ headers: [(name: String, value: [UInt8]?)], valueLength: Int = 10) throws(EnvelopeError) -> Envelope {
        try Envelope.decode(headers: headers, valueLength: valueLength)
    }
}

/// Standard base64 for tests (Foundation's, so the decoder is checked against another encoder).
enum Base64Text {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

import Foundation
