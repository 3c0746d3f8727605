import Foundation

extension RelayHarness {
    /// Sets the national hub's `max-document-bytes` in the harness's directory (before the
    /// agents start): the largest document its agencies' agents take (issue 13; default 64 MiB).
    func setMaxDocumentBytes(_ bytes: Int) throws {
        let url = folder.appendingPathComponent("directory.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let marker = "  - id: \"national\"\n"
        guard text.contains(marker) else { throw HarnessError("directory.yaml has no hub national") }
        try Data(text.replacingOccurrences(of: marker, with: marker + "    max-document-bytes: \(bytes)\n").utf8).write(to: url)
    }
}
