import Foundation
import Subprocess
import SystemPackage

/// Runs measurements in child processes of this executable, so that each has its own peak RSS
/// and a fresh cluster (or a cold process, for verification), and reads back their JSON line.
enum ChildRun {
    static func measure(_ impl: Implementation, workload: BenchWorkload) async throws -> BenchResult {
        try await run([
            "passthrough", "--impl", impl.rawValue,
            "--size", String(workload.size), "--records", String(workload.records),
        ])
    }

    /// Runs this executable with `arguments` and decodes the last JSON line it printed.
    static func run<Result: Decodable>(_ arguments: [String]) async throws -> Result {
        let (status, text) = try await output(of: executable(), arguments, error: .currentStandardError)
        let command = arguments.joined(separator: " ")
        guard status.isSuccess else {
            throw BenchFailure("\(command) failed (\(status)); output: \(text)")
        }
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw BenchFailure("\(command) printed no JSON line; output: \(text)")
        }
        do {
            return try JSONDecoder().decode(Result.self, from: Data(line.utf8))
        } catch {
            throw BenchFailure("cannot read the result of \(command) \(line): \(error)")
        }
    }

    /// Runs `executable` to its end and returns how it ended and its standard output (up to
    /// 64 MiB). swift-subprocess, not Foundation's `Process`: `Process.run()` over-reads a
    /// buffer on Linux up to Swift 6.3.1 and crashed the process that spawned (see
    /// `ChildProcess` in the tests); it also starts the child with no signal blocked, which
    /// `openssl speed` needs (it times its loops with SIGALRM).
    static func output(
        of executable: URL, _ arguments: [String], error: some ErrorOutputProtocol = .discarded
    ) async throws -> (TerminationStatus, String) {
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments),
            output: .string(limit: 64 << 20), error: error)
        return (result.terminationStatus, result.standardOutput)
    }

    /// This executable, from `CommandLine.arguments[0]`, as an absolute path: relative to the
    /// working directory when it names a path, else looked up in `PATH`.
    static func executable() throws -> URL {
        let invoked = CommandLine.arguments.first ?? ""
        let files = FileManager.default
        if invoked.contains("/") {
            let base = URL(fileURLWithPath: files.currentDirectoryPath, isDirectory: true)
            return URL(fileURLWithPath: invoked, relativeTo: base).standardizedFileURL
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in searchPath.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory), isDirectory: true)
                .appendingPathComponent(invoked).standardizedFileURL
            if files.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BenchFailure("cannot locate this executable (\(invoked)) to run measurements in child processes")
    }
}
