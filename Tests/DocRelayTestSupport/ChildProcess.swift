public import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable {
    /// The exit code, or the number of the signal that ended it.
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String
}

public struct ProcessTimeout: Error, CustomStringConvertible {
    public let command: String
    public init(command: String) { self.command = command }
    public var description: String { "timed out: \(command)" }
}

/// A child process whose output goes to files (no pipe can fill up and block it), started by
/// swift-subprocess, not Foundation's `Process`: up to Swift 6.3.1 (at least) `Process.run()`
/// on Linux copies a whole 256-byte `d_name` of each entry of /proc/self/fd and reads past
/// readdir's buffer when the page after it is unmapped; the test process died of SIGSEGV in
/// `Process.run()` in 2 of 6 runs of the suite (swift-corelibs-foundation pull request 5472).
///
/// The child is reaped by a task of its own; `isRunning` turns false once it has been.
public final class ChildProcess: Sendable {
    public let command: String
    public let outputURL: URL
    public let errorURL: URL
    /// The child's process id; signal it only while `isRunning` (after that it may be reused).
    public let processIdentifier: Int32
    private let state = State()

    /// How the child ended (nil while it runs), and who waits for it to start.
    private final class State: Sendable {
        let ended = Mutex<Int32?>(nil)
        let started = Mutex<CheckedContinuation<Int32, any Error>?>(nil)
    }

    /// Starts `executable` with `arguments`; `input` is its standard input (else /dev/null),
    /// `environment` added to this process's. Throws when the program cannot be started.
    public init(
        _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        outputURL = directory.appendingPathComponent("docrelay-test-\(id).out")
        errorURL = directory.appendingPathComponent("docrelay-test-\(id).err")
        command = ([executable] + arguments).joined(separator: " ")
        let inputPath: String
        if let input {
            inputPath = directory.appendingPathComponent("docrelay-test-\(id).in").path
            try input.write(to: URL(fileURLWithPath: inputPath))
        } else {
            inputPath = "/dev/null"
        }
        let stdin = try FileDescriptor.open(FilePath(inputPath), .readOnly)
        let stdout = try FileDescriptor.open(
            FilePath(outputURL.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let stderr = try FileDescriptor.open(
            FilePath(errorURL.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in environment { updates[Environment.Key(stringLiteral: name)] = value }
        let configuration = Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(arguments),
            environment: Environment.inherit.updating(updates))

        let state = state
        processIdentifier = try await withCheckedThrowingContinuation { continuation in
            state.started.withLock { $0 = continuation }
            // Spawned and reaped off the cooperative pool: tests that compute for seconds on
            // it (signature corpora, fuzzing) must not delay a start or an exit a test times.
            Task(executorPreference: DedicatedExecutor.childProcesses) {
                // Not while an embedded broker binds its port again (`SpawnGate`): held until
                // the child has exec'd, when the body below is called.
                let gate = await SpawnGate.hold()
                do {
                    let result = try await Subprocess.run(
                        configuration,
                        input: .fileDescriptor(stdin, closeAfterSpawningProcess: true),
                        output: .fileDescriptor(stdout, closeAfterSpawningProcess: true),
                        error: .fileDescriptor(stderr, closeAfterSpawningProcess: true)
                    ) { execution in
                        await gate.release()
                        state.started.withLock { $0.take() }?.resume(returning: execution.processIdentifier.value)
                    }
                    let code: Int32 = switch result.terminationStatus {
                    case .exited(let code): code
                    case .signaled(let signal): signal
                    }
                    state.ended.withLock { $0 = code }
                } catch {
                    await gate.release()
                    state.ended.withLock { $0 = -1 }
                    state.started.withLock { $0.take() }?.resume(throwing: error)
                }
            }
        }
    }

    public var standardOutput: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Why the child died, from its standard error: the lines around the first sign of a crash
    /// (a librdkafka assertion, `*** file:line:function: assert: … ***`; Swift's `Fatal error`;
    /// the backtracer's report), else the last 2,000 characters, with how it ended.
    public var crashSummary: String {
        let lines = standardError.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("swift-runtime: failed to suspend thread") }  // the backtracer's noise
        let markers = ["Assertion", "assert:", "Fatal error", "*** ", "💣", "Program crashed", "Aborted"]
        let ended = state.ended.withLock { $0 }.map { "ended with code or signal \($0)" } ?? "still running"
        guard let first = lines.firstIndex(where: { line in markers.contains { line.contains($0) } }) else {
            return "\(ended); standard error's end:\n\(standardError.suffix(2000))"
        }
        let window = lines[max(0, first - 20)..<min(lines.count, first + 30)].map { $0.prefix(400) }
        return "\(ended); standard error around its first crash sign (line \(first + 1)):\n\(window.joined(separator: "\n"))"
    }

    /// False once the child has ended and been reaped.
    public var isRunning: Bool { state.ended.withLock { $0 == nil } }

    /// Sends `signal` while the child runs (never to a reused process id).
    public func signal(_ signal: Int32) {
        state.ended.withLock { code in
            if code == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Waits for the exit, killing the process and throwing after `limit`.
    public func wait(upTo limit: Duration) async throws -> ProcessResult {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if let code = state.ended.withLock({ $0 }) {
                return ProcessResult(exitCode: code, standardOutput: standardOutput, standardError: standardError)
            }
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                throw ProcessTimeout(command: command)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        signal(SIGKILL)
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }
}
