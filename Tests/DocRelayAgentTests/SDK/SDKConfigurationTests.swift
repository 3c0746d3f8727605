@testable import DocRelayAgent
import DocRelayCore
import Foundation
import Testing

@Suite("agency.yaml sdk: base path, systems, and a secrets file only the agent may read")
struct SDKConfigurationTests {
    /// A configuration in a fresh folder with a secrets file of `mode`, and `sdk` as its `sdk:` section.
    static func load(sdk: String, secrets: String = "000.00.00.G22 c2VjcmV0LWcyMg==\n", mode: Int = 0o600) throws -> AgentConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let secretsFile = folder.appendingPathComponent("sdk-secrets").path
        try Data(secrets.utf8).write(to: URL(fileURLWithPath: secretsFile))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: secretsFile)
        return try AgentConfiguration.parse("""
            agency: 000.00.00.G22
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: g22.pem, key: g22.key }
            send: {}
            receive: {}
            sdk:
            \(sdk)
            """, path: folder.appendingPathComponent("agency.yaml").path)
    }

    @Test("Systems with their secrets (the UTF-8 bytes as written) and codes; no inbox needed beside sdk:")
    func parsed() throws {
        let configuration = try Self.load(sdk: """
              path: /XrdAdapter/adapter
              secrets: sdk-secrets
              systems: [{ id: 000.00.00.G22 }]
            """)
        let sdk = try #require(configuration.sdk)
        #expect(sdk.basePath == "/XrdAdapter/adapter")
        #expect(sdk.systems == [AgentConfiguration.System(id: "000.00.00.G22", secret: Array("c2VjcmV0LWcyMg==".utf8), maySendAs: ["000.00.00.G22"])])
        #expect(configuration.receive?.inbox == nil)
    }

    @Test("A secrets file the group or others may read is refused, naming the key and the mode")
    func openSecrets() {
        let error = #expect(throws: ConfigurationError.self) {
            try Self.load(sdk: "  secrets: sdk-secrets\n  systems: [{ id: 000.00.00.G22 }]", mode: 0o640)
        }
        #expect(error?.description.contains("sdk.secrets") == true)
        #expect(error?.description.contains("chmod 600") == true)
        #expect(error?.description.contains("mode 640") == true)
    }

    @Test("A system without a secret, another agency's code, a base path under /v1: refused, each naming its key")
    func refusals() {
        let noSecret = #expect(throws: ConfigurationError.self) {
            try Self.load(sdk: "  secrets: sdk-secrets\n  systems: [{ id: qlvb }]")
        }
        #expect(noSecret?.description.contains("sdk.systems[0].id") == true)
        let other = #expect(throws: ConfigurationError.self) {
            try Self.load(sdk: "  secrets: sdk-secrets\n  systems: [{ id: 000.00.00.G22, may-send-as: [000.00.00.H58] }]")
        }
        #expect(other?.description.contains("may-send-as") == true)
        #expect(other?.description.contains("the agency this agent signs for") == true)
        let path = #expect(throws: ConfigurationError.self) {
            try Self.load(sdk: "  path: /v1/sdk\n  secrets: sdk-secrets\n  systems: [{ id: 000.00.00.G22 }]")
        }
        #expect(path?.description.contains("sdk.path") == true)
    }
}
