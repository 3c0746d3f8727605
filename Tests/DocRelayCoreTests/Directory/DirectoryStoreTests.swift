import DocRelayCore
import Foundation
import Testing

@Suite("DirectoryStore: reloads swap whole snapshots, a bad file keeps the old one")
struct DirectoryStoreTests {
    @Test("Reload puts a good file in force; a bad one is refused and the old directory stays")
    func reload() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("directory.yaml")
        try Data(SampleDirectory.yaml.utf8).write(to: file)
        let store = try DirectoryStore(contentsOf: file.path)
        let snapshot = store.current
        #expect(snapshot.agencies.count == 7)

        let added = SampleDirectory.yaml + "\n  - code: \"000.00.00.H41\"\n    name: UBND Tỉnh Nghệ An\n"
        try Data(added.utf8).write(to: file)
        let fresh = try store.reload()
        #expect(fresh.agencies.count == 8)
        #expect(store.current.agency(named: "000.00.00.H41")?.hubID == "national")
        // Work in flight keeps the snapshot it took.
        #expect(snapshot.agencies.count == 7)

        try Data("hubs: [\n".utf8).write(to: file)
        let error = #expect(throws: ConfigurationError.self) { try store.reload() }
        #expect(error?.path == file.path)
        #expect(store.current.agencies.count == 8)

        try FileManager.default.removeItem(at: file)
        #expect(throws: ConfigurationError.self) { try store.reload() }
        #expect(store.current.agency(named: "000.00.00.H41") != nil)
    }

    @Test("Readers during concurrent reloads always see a whole directory")
    func concurrentReaders() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("directory.yaml")
        try Data(SampleDirectory.yaml.utf8).write(to: file)
        let store = try DirectoryStore(contentsOf: file.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<50 { try store.reload() }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<2_000 {
                        let directory = store.current
                        #expect(directory.agencies.count == 7)
                        #expect(directory.root.id == "national")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("A store can start from a directory already loaded")
    func fromDirectory() throws {
        let directory = try Directory.parse(SampleDirectory.yaml, path: "/nonexistent/dir.yaml")
        let store = DirectoryStore(directory, path: "/nonexistent/dir.yaml")
        #expect(store.current.hubs.count == 3)
        #expect(throws: ConfigurationError.self) { try store.reload() }
        #expect(store.current.hubs.count == 3)
    }
}
