import Foundation

/// Runs one `passthrough` measurement in a child process of this executable, so that each
/// measurement has its own peak RSS and a fresh cluster, and reads back its JSON line.
enum ChildRun {
    static func measure(_ impl: Implementation, workload: BenchWorkload) throws -> BenchResult {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = [
            "passthrough", "--impl", impl.rawValue,
            "--size", String(workload.size), "--records", String(workload.records),
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchFailure(
                "passthrough --impl \(impl.rawValue) --size \(workload.size) --records \(workload.records) "
                    + "failed (status \(process.terminationStatus)); output: \(text)")
        }
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw BenchFailure("passthrough printed no JSON line; output: \(text)")
        }
        do {
            return try JSONDecoder().decode(BenchResult.self, from: Data(line.utf8))
        } catch {
            throw BenchFailure("cannot read the passthrough result \(line): \(error)")
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
