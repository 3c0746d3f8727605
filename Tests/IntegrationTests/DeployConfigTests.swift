import DocRelayTestSupport
import Foundation
import Testing
import Yams

/// The configurations in deploy/ and docker-compose.yml are what operators start from: they are
/// checked here as the relay would check them, so they cannot rot.
@Suite("deploy/: every configuration passes --check-config")
struct DeployConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("Each relay configuration in deploy/, with the development PKI of deploy/init-pki.sh, passes --check-config")
    func relayConfigurations() async throws {
        let deploy = Self.root.appendingPathComponent("deploy")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-deploy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: deploy, to: work)
        defer { try? FileManager.default.removeItem(at: work) }
        let pki = try await run(
            "/bin/sh", [work.appendingPathComponent("init-pki.sh").path, work.path],
            environment: ["DOCRELAY": DocRelayBinary.path])
        try #require(pki.exitCode == 0, "init-pki.sh: \(pki.standardError)")
        let configurations = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasSuffix(".yaml") }
        #expect(!configurations.isEmpty)
        for name in configurations {
            let result = try await runDocRelay(["relay", "--config", work.appendingPathComponent(name).path, "--check-config"])
            #expect(result.exitCode == 0, "\(name): \(result.standardError)")
            #expect(result.standardOutput.contains("valid"), "\(name)")
        }
    }

    @Test("docker-compose.yml mounts what the relay configuration names, and runs init-pki, provision and the relay")
    func compose() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        for name in ["kafka-1", "kafka-2", "kafka-3", "pki-init", "provision", "relay"] {
            #expect(services[name] != nil, "service \(name)")
        }
        #expect(text.contains("./deploy/hub.yaml:/etc/docrelay/hub.yaml"))
        #expect(text.contains("./deploy/kafka:/etc/docrelay/kafka"))
        #expect(text.contains("docrelay-pki:/etc/docrelay/pki"))
    }

    @Test("A broken configuration is refused with the file, the line and the key named (exit 2)")
    func brokenConfiguration() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        try Data("hub: national\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\nretry:\n  tiers: [5s, soon]\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runDocRelay(["relay", "--config", file.path, "--check-config"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("\(file.path):6"))
        #expect(result.standardError.contains("key 'retry.tiers'"))
        #expect(result.standardError.contains("'soon'"))
    }
}
