@testable import DocRelayAgent
import DocRelayTestSupport
import Foundation
import Testing

@Suite("Temporary files a crash leaves behind")
struct LeftoverTemporariesTests {
    @Test("Only durable writes' temporaries are removed; documents, sidecars and other hidden files stay")
    func onlyTemporariesGo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("leftovers"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let kept = ["tb-1.txt", "tb-1.txt.meta.json", ".hidden", ".x.tmp", ".tb-2.txt.NOTHEX12.tmp", "tb-3.txt.1ED52CBC.tmp"]
        let leftovers = [".tb-2.txt.1ED52CBC.tmp", ".tb-2.txt.meta.json.0A1B2C3D.tmp", ".a.b.c.ffffffff.tmp"]
        for name in kept + leftovers {
            try Data("x".utf8).write(to: folder.appendingPathComponent(name))
        }
        let removed = DurableFiles.removeLeftoverTemporaries(in: folder.path)
        #expect(removed == leftovers.sorted())
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == Set(kept))
        #expect(DurableFiles.removeLeftoverTemporaries(in: folder.appendingPathComponent("missing").path).isEmpty)
    }

    @Test("A temporary of each name `write` makes is recognised")
    func writeNamesAreRecognised() throws {
        for name in ["a.pdf", "000.00.00.G22_2026-abc.xml", "x.meta.json", ".."] {
            let temporary = ".\(name).\(UUID().uuidString.prefix(8)).tmp"
            #expect(DurableFiles.isTemporary(temporary), "\(temporary)")
        }
    }
}
