import Foundation

/// Runs measurements in child processes of this executable, so that each has its own peak RSS
/// and a fresh cluster (or a cold process, for verification), and reads back their JSON line.
enum ChildRun {
    static func measure(_ impl: Implementation, workload: BenchWorkload) throws -> BenchResult {
        try run([
            "passthrough", "--impl", impl.rawValue,
            "--size", String(workload.size), "--records", String(workload.records),
        ])
    }

    /// Runs this executable with `arguments` and decodes the last JSON line it printed.
    static func run<Result: Decodable>(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let command = arguments.joined(separator: " ")
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchFailure("\(command) failed (status \(process.terminationStatus)); output: \(text)")
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
