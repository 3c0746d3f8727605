@testable import DocRelayAgent
import DocRelayTestSupport
import Foundation
import Testing

@Suite("File names from document ids")
struct FileNamesTests {
    @Test("Plain ids are kept; others are made safe, never hidden, never meeting another id")
    func safeNames() {
        #expect(FileNames.safe("c1d2bc24-3ef2-48c1-ae05-e544f0daa829") == "c1d2bc24-3ef2-48c1-ae05-e544f0daa829")
        let edxml = FileNames.safe("000.00.00.G22,2026/11/29,12/QĐ-UBND")
        #expect(!edxml.contains("/"))
        #expect(edxml.hasPrefix("000.00.00.G22_2026_11_29_12_Q_-UBND-"))
        #expect(FileNames.safe("a/b") != FileNames.safe("a_b"))
        #expect(!FileNames.safe("..").hasPrefix("."))
        #expect(!FileNames.safe(".hidden").hasPrefix("."))
        #expect(FileNames.safe(String(repeating: "é", count: 256)).utf8.count < 160)
    }

    @Test("Random ids: distinct ids give distinct, safe names")
    func randomIDs() {
        var random = SeededGenerator(seed: 3)
        let alphabet = Array("ab/.,:é \\-_0")
        var seen: [String: String] = [:]
        for _ in 0..<5_000 {
            let id = String((0..<Int.random(in: 1...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let name = FileNames.safe(id)
            #expect(!name.isEmpty && !name.hasPrefix(".") && !name.contains("/"), "\(id) → \(name)")
            if let other = seen[name] { #expect(other == id, "\(id) and \(other) → \(name)") }
            seen[name] = id
        }
    }

    @Test("Extensions from content types")
    func extensions() {
        #expect(FileNames.fileExtension(contentType: "application/edxml+xml") == ".xml")
        #expect(FileNames.fileExtension(contentType: "application/PDF") == ".pdf")
        #expect(FileNames.fileExtension(contentType: "text/plain; charset=utf-8") == ".txt")
        #expect(FileNames.fileExtension(contentType: "application/x-unknown") == ".bin")
    }
}
