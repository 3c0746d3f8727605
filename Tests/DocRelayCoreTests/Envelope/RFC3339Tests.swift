import DocRelayCore
import Foundation
import DocRelayTestSupport
import Testing

@Suite("RFC 3339 UTC times: strict parsing, formatting")
struct RFC3339Tests {
    @Test("Valid times, with and without fractions", arguments: [
        ("2026-11-29T01:02:03Z", 1_795_914_123.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-02-29T23:59:59Z", 1_709_251_199.0),
        ("2026-11-29T01:02:03.5Z", 1_795_914_123.5),
        ("2026-11-29T01:02:03.123456789Z", 1_795_914_123.123456789),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func valid(_ pair: (String, Double)) throws {
        let date = try #require(RFC3339.parse(pair.0))
        #expect(abs(date.timeIntervalSince1970 - pair.1) < 1e-6)
    }

    @Test("Anything else is refused", arguments: [
        "", "2026-11-29", "2026-11-29T01:02:03", "2026-11-29T01:02:03z", "2026-11-29t01:02:03Z", "2026-11-29 01:02:03Z",
        "2026-11-29T01:02:03+07:00", "2026-11-29T01:02:03.Z", "2026-11-29T01:02:03.1234567890Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-29T24:00:00Z",
        "2026-11-29T23:60:00Z", "2026-11-29T23:59:60Z", "+026-11-29T01:02:03Z", "2026-11-29T01:02:03ZZ", "２026-11-29T01:02:03Z",
    ])
    func invalid(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("Formatting truncates to the digits asked for, and reads back")
    func format() throws {
        let date = Date(timeIntervalSince1970: 1_795_914_123.987)
        #expect(RFC3339.format(date) == "2026-11-29T01:02:03Z")
        #expect(RFC3339.format(date, fractionalDigits: 3) == "2026-11-29T01:02:03.987Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        var generator = SeededGenerator(seed: 3339)
        for _ in 0..<2_000 {
            let seconds = Double(Int64.random(in: 0...4_102_444_800, using: &generator))
            let text = RFC3339.format(Date(timeIntervalSince1970: seconds))
            #expect(RFC3339.parse(text)?.timeIntervalSince1970 == seconds, "\(text)")
        }
    }
}
