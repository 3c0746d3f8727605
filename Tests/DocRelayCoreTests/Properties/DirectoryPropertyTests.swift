import DocRelayCore
import DocRelayTestSupport
import Testing

/// Checks what any loaded directory must satisfy.
private func violation(_ directory: Directory) -> String? {
    let roots = directory.hubs.filter(\.isRoot)
    if roots.count != 1 { return "\(roots.count) roots" }
    for hub in directory.hubs {
        if directory.path(fromHub: hub, toHub: directory.root).last?.id != directory.root.id { return "hub \(hub.id) does not reach the root" }
    }
    for agency in directory.agencies {
        if directory.hub(id: agency.hubID) == nil { return "agency \(agency.code) has no hub" }
        var seen: Set<AgencyCode> = [agency.code]
        var current = directory.parent(of: agency.code)
        while let code = current {
            if !seen.insert(code).inserted { return "agency \(agency.code) has a parent cycle" }
            current = directory.parent(of: code)
        }
    }
    return nil
}

private let yamlTokens = [":", "- ", "\n", "\n  ", "[", "]", "{", "}", "'", "\"", "&a ", "*a", "!!str ", "~", "#", "---\n",
                          "parent: national\n", "hub: h99", "? ", "|\n", "<<: *a", "\t", "\u{0}", "\u{FEFF}"].map { Array($0.utf8) }

@Suite("Properties: the directory parser never crashes or hangs, and what it accepts is sound")
struct DirectoryPropertyTests {
    @Test("Mutations of a valid directory", .timeLimit(.minutes(1)))
    func mutations() {
        var generator = SeededGenerator(seed: 0xD12E_C702)
        let valid = Array(SampleDirectory.yaml.utf8)
        var accepted = 0
        var refused = 0
        let elapsed = measure {
            for index in 0..<2_500 {
                let text = String(decoding: Mutator.mutate(valid, tokens: yamlTokens, maxEdits: 3, using: &generator), as: UTF8.self)
                do throws(ConfigurationError) {
                    let directory = try Directory.parse(text, path: "dir.yaml")
                    accepted += 1
                    if let reason = violation(directory) { Issue.record("case \(index): \(reason)") }
                } catch {
                    refused += 1
                    if !error.description.hasPrefix("dir.yaml") || error.expected.isEmpty {
                        Issue.record("case \(index): an error that does not name the file: \(error)")
                    }
                }
            }
        }
        #expect(elapsed < .seconds(5))
        #expect(accepted > 50)
        #expect(refused > 500)
    }

    @Test("Random bytes and truncations", .timeLimit(.minutes(1)))
    func randomAndTruncated() {
        var generator = SeededGenerator(seed: 0x7A11_D1E5)
        let valid = Array(SampleDirectory.yaml.utf8)
        let elapsed = measure {
            for index in 0..<1_500 {
                let bytes = generator.bytes(Int.random(in: 0..<400, using: &generator))
                do throws(ConfigurationError) {
                    _ = try Directory.parse(String(decoding: bytes, as: UTF8.self), path: "dir.yaml")
                    Issue.record("case \(index): random bytes made a directory")
                } catch {}
            }
            for cut in stride(from: 0, to: valid.count, by: 3) {
                do throws(ConfigurationError) {
                    let directory = try Directory.parse(String(decoding: valid.prefix(cut), as: UTF8.self), path: "dir.yaml")
                    if let reason = violation(directory) { Issue.record("cut \(cut): \(reason)") }
                } catch {
                    if error.expected.isEmpty { Issue.record("cut \(cut): an error without a reason") }
                }
            }
        }
        #expect(elapsed < .seconds(5))
    }
}
