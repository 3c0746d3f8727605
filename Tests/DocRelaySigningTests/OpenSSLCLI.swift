import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Subprocess
import SystemPackage

/// The `openssl` command line, for interoperability tests.
enum OpenSSLCLI {
    struct Output {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "openssl is not installed" }
    }

    static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("openssl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static var isAvailable: Bool { executable != nil }

    /// One openssl at a time: the signing suites start dozens (RSA keys, a corpus of
    /// signatures), and run all at once they took both cores from the relays and agents the
    /// integration tests time (webhook deliveries timed out and came twice). While `run` was
    /// blocking, the cooperative pool's width limited them to two.
    private static let slots = AsyncSlots(1)

    /// Runs `openssl arguments…` with `input` on standard input (swift-subprocess: see
    /// `ChildProcess` for why not Foundation's `Process`).
    @discardableResult
    static func run(_ arguments: [String], input: [UInt8] = []) async throws -> Output {
        guard let executable else { throw Missing() }
        // A command that exits before reading its input must not kill the tests with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        await slots.take()
        defer { Task { await slots.give() } }
        // Spawned while no embedded broker binds its port again (`SpawnGate`), released once
        // the child has exec'd (when the body is called).
        let gate = await SpawnGate.hold()
        let result: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .path(FilePath(executable.path)), arguments: Arguments(arguments),
                input: .array(input), output: .bytes(limit: 64 << 20), error: .string(limit: 1 << 20)
            ) { _ in await gate.release() }
        } catch {
            await gate.release()
            throw error
        }
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        return Output(status: status, stdout: result.standardOutput, stderr: result.standardError ?? "")
    }

    /// Signs `content` exactly as the contract's command does, plus `extra` options.
    static func sign(
        _ content: [UInt8], identity files: IdentityFiles, extra: [String] = []
    ) async throws -> [UInt8] {
        let output = try await run(
            ["cms", "-sign", "-binary", "-outform", "DER", "-signer", files.certificate, "-inkey", files.key,
             "-md", "sha256"] + extra,
            input: content)
        guard output.status == 0 else { throw SigningFailed(stderr: output.stderr) }
        return output.stdout
    }

    struct SigningFailed: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "openssl cms -sign failed: \(stderr)" }
    }
}

/// PEM files of an identity in a temporary folder.
struct IdentityFiles {
    let certificate: String
    let key: String

    init(_ identity: SigningIdentity, in folder: TemporaryFolder, name: String) throws {
        certificate = try folder.write("\(name).pem", identity.certificate.pem)
        key = try folder.write("\(name).key", identity.key.pem)
    }
}

/// A folder under the system's temporary directory, removed when released.
final class TemporaryFolder: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("docrelay-signing-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }
}
