import Foundation

/// Runs one `verify` measurement in a child process of this executable (as `ChildRun` does for
/// pass-through), so it starts with a cold process like a relay does, and reads back its JSON.
enum VerifyChildRun {
    static func measure() throws -> VerifyResult {
        let process = Process()
        process.executableURL = try ChildRun.executable()
        process.arguments = ["verify"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchFailure("verify failed (status \(process.terminationStatus)); output: \(text)")
        }
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw BenchFailure("verify printed no JSON line; output: \(text)")
        }
        do {
            return try JSONDecoder().decode(VerifyResult.self, from: Data(line.utf8))
        } catch {
            throw BenchFailure("cannot read the verify result \(line): \(error)")
        }
    }
}
