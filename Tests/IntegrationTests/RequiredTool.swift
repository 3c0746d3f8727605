import DocRelayTestSupport
import Foundation
import Testing

/// An operators' tool a test runs (promtool, docker compose, systemd-analyze, readelf), found on
/// `PATH`. A missing tool fails the test that needs it, naming the package `make deps` installs:
/// a check that did not run must never pass.
struct RequiredTool: Error, CustomStringConvertible {
    let name: String
    let package: String

    var description: String { "\(name) is not installed (`make deps` installs it: \(package))" }

    /// The tool's path on `PATH`, or an error naming what installs it.
    static func path(_ name: String, package: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RequiredTool(name: name, package: package)
    }

    /// The tool at a fixed path, or an error naming what installs it.
    static func path(at path: String, package: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw RequiredTool(name: path, package: package)
        }
        return path
    }

    /// Where `make deps` puts Docker Compose v2 (Docker's CLI plugin folder, so that
    /// `docker compose` finds it too).
    static let composePlugin = "/usr/local/lib/docker/cli-plugins/docker-compose"
}
