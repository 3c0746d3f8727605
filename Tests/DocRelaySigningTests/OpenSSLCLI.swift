import DocRelaySigning
import Foundation

/// The `openssl` command line, for interoperability tests (Foundation `Process`).
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

    /// Runs `openssl arguments…` with `input` on standard input.
    @discardableResult
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> Output {
        guard let executable else { throw Missing() }
        // A command that exits before reading its input must not kill the tests with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read standard error on their own queues, so that no pipe fills up.
        let group = DispatchGroup()
        let errorData = LockedData()
        DispatchQueue.global().async(group: group) {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        DispatchQueue.global().async(group: group) {
            errorData.set(stderr.fileHandleForReading.readDataToEndOfFile())
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return Output(
            status: process.terminationStatus, stdout: [UInt8](out),
            stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    /// Signs `content` exactly as the contract's command does, plus `extra` options.
    static func sign(
        _ content: [UInt8], identity files: IdentityFiles, extra: [String] = []
    ) throws -> [UInt8] {
        let output = try run(
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

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) {
        lock.withLock { data = value }
    }

    var value: Data { lock.withLock { data ?? Data() } }
}
