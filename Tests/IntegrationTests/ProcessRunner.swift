import DocRelayTestSupport
import Foundation

/// The `docrelay` executable built beside this test bundle (or `DOCRELAY_BIN`).
enum DocRelayBinary {
    static var path: String {
        if let override = ProcessInfo.processInfo.environment["DOCRELAY_BIN"] { return override }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let binary = candidate.appendingPathComponent("docrelay").path
            if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        }
        return bundleDirectory.appendingPathComponent("docrelay").path
    }
}

/// Runs `docrelay` with `arguments` to completion.
func runDocRelay(_ arguments: [String], upTo limit: Duration = .seconds(60)) async throws -> ProcessResult {
    try await ChildProcess(DocRelayBinary.path, arguments).wait(upTo: limit)
}

/// Runs any program (e.g. kcat) to completion.
func run(
    _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
    upTo limit: Duration = .seconds(60)
) async throws -> ProcessResult {
    try await ChildProcess(executable, arguments, input: input, environment: environment).wait(upTo: limit)
}

/// `docrelay broker` running in the background, with its bootstrap address.
final class BrokerProcess: Sendable {
    let child: ChildProcess
    let bootstrapFile: String
    let bootstrap: String

    static func start(topics: [String] = [], brokers: Int = 1) async throws -> BrokerProcess {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bootstrap-\(UUID().uuidString)").path
        let child = try await ChildProcess(
            DocRelayBinary.path,
            ["broker", "--brokers", "\(brokers)", "--bootstrap-file", file] + topics.flatMap { ["--topic", $0] })
        // Generous: on a loaded 2-core machine a debug binary can take a while to start.
        let deadline = ContinuousClock.now.advanced(by: .seconds(90))
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               text.hasSuffix("\n") {
                return BrokerProcess(child: child, bootstrapFile: file, bootstrap: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.signal(SIGKILL)
        throw ProcessTimeout(command: child.command + " (no bootstrap file)")
    }

    private init(child: ChildProcess, bootstrapFile: String, bootstrap: String) {
        self.child = child
        self.bootstrapFile = bootstrapFile
        self.bootstrap = bootstrap
    }

    /// SIGTERM, then the exit.
    func stop() async throws -> ProcessResult {
        child.signal(SIGTERM)
        return try await child.wait(upTo: .seconds(20))
    }
}

/// The absolute path of a program on PATH, or nil.
func which(_ program: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for directory in paths {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
