import DocRelay
import DocRelayCore
import DocRelayTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite("The directory reloads on SIGHUP")
struct DirectoryReloadTests {
    private func directoryYAML(agencies: [String]) -> String {
        """
        hubs:
          - id: national
            kafka: { bootstrap: "127.0.0.1:9092" }
        agencies:
        \(agencies.map { "  - { code: \"\($0)\", name: \"Agency \($0)\", hub: national }" }.joined(separator: "\n"))
        """
    }

    @Test("A changed file is taken on SIGHUP; a bad one is refused and the previous directory stays")
    func reloadOnSignal() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("directory-\(UUID().uuidString).yaml").path
        try Data(directoryYAML(agencies: ["000.00.00.G22"]).utf8).write(to: URL(fileURLWithPath: path))
        let store = try DirectoryStore(contentsOf: path)
        let snapshot = store.current  // work in flight keeps what it took

        // Never let a SIGHUP that arrives before the handler is in place end the test process.
        await SIGHUPForTests.shared.keep()
        let service = DirectoryReloadService(store: store, logger: testLogger)
        let running = Task { try await service.run() }
        defer { running.cancel() }

        func signalUntil(_ condition: () -> Bool) async throws -> Bool {
            for _ in 0..<50 {
                kill(getpid(), SIGHUP)
                try await Task.sleep(for: .milliseconds(100))
                if condition() { return true }
            }
            return false
        }

        try Data(directoryYAML(agencies: ["000.00.00.G22", "000.00.00.H58"]).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await signalUntil { store.current.agencies.count == 2 })
        #expect(snapshot.agencies.count == 1)

        try Data("hubs: [oops".utf8).write(to: URL(fileURLWithPath: path))
        kill(getpid(), SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        #expect(store.current.agencies.map(\.code.rawValue) == ["000.00.00.G22", "000.00.00.H58"])
        #expect(throws: ConfigurationError.self) { try store.reload() }
    }
}
