import DocRelayTestSupport
import Foundation
import Testing

/// deploy/systemd: the units pass systemd's own checks, and the user they run as is made by the
/// documented step.
@Suite("deploy/systemd: units pass systemd-analyze verify; sysusers makes the docrelay user")
struct SystemdUnitTests {
    static let folder = DeployConfigTests.root.appendingPathComponent("deploy/systemd")

    static func units() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".service") }.sorted()
    }

    @Test("There are units for the relay, the agent and the broker, and %i appears only in template units (name@.service)")
    func templates() throws {
        let units = try Self.units()
        #expect(units.contains("docrelay-relay.service"), "\(units)")
        #expect(units.contains("docrelay-agent@.service"), "\(units)")
        #expect(units.contains("docrelay-broker.service"), "\(units)")
        for unit in units {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(unit), encoding: .utf8)
            let specifiers = ["%i", "%I"].filter { text.contains($0) }
            if unit.hasSuffix("@.service") {
                #expect(!specifiers.isEmpty, "\(unit): a template that uses no instance name")
            } else {
                #expect(specifiers.isEmpty, "\(unit) is not a template, yet uses \(specifiers)")
            }
            #expect(text.contains("User=docrelay"), "\(unit)")
        }
    }

    @Test("systemd-analyze verify accepts every unit (a template through an instance) without one warning, and refuses a misspelt key")
    func verify() async throws {
        let analyze = try RequiredTool.path("systemd-analyze", package: "systemd")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // verify checks that ExecStart's program exists: the one this test run built stands in.
        var names: [String] = []
        for unit in try Self.units() {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(unit), encoding: .utf8)
            try Data(text.replacingOccurrences(of: "/usr/local/bin/docrelay", with: DocRelayBinary.path).utf8)
                .write(to: work.appendingPathComponent(unit))
            if unit.hasSuffix("@.service") {
                let instance = unit.replacingOccurrences(of: "@.service", with: "@g22.service")
                try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent(instance).path, withDestinationPath: unit)
                names.append(instance)
            }
            names.append(unit)
        }
        let result = try await run(analyze, ["verify"] + names.map { work.appendingPathComponent($0).path })
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty && result.standardOutput.isEmpty, "warnings: \(result.standardError)")

        let broken = work.appendingPathComponent("broken.service")
        try Data("[Service]\nExecStart=\(DocRelayBinary.path) --version\nUser=docrelay\nRestartSecs=5\n".utf8).write(to: broken)
        let refused = try await run(analyze, ["verify", broken.path])
        #expect(refused.standardError.contains("RestartSecs"), "the check sees a misspelt key: \(refused.standardError)")
    }

    @Test("docrelay.sysusers.conf, applied by systemd-sysusers into an empty root, makes the docrelay user and group 10001 with no login")
    func sysusers() async throws {
        let sysusers = try RequiredTool.path("systemd-sysusers", package: "systemd")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-sysusers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await run(sysusers, ["--root=\(root.path)", Self.folder.appendingPathComponent("docrelay.sysusers.conf").path])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(passwd.split(separator: "\n").contains { $0.hasPrefix("docrelay:x:10001:10001:") && $0.hasSuffix(":/var/lib/docrelay:/usr/sbin/nologin") }, "\(passwd)")
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("docrelay:x:10001:") }, "\(group)")
        let readme = try String(contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("systemd-sysusers"), "the documented step")
    }
}
