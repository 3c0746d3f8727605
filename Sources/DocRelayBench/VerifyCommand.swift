import ArgumentParser
import DocRelaySigning
import Foundation

/// `docrelay-bench verify`: single-thread signature verifications per second, RSA-2048, content
/// of 4 KiB, the signer certificate embedded (the contract's form), for `FastCMSVerifier` and
/// for OpenSSL's `CMS_verify` (`OpenSSLCMSVerifier`), beside `openssl speed rsa2048` verify/s
/// measured in the same run. Prints one JSON line.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Measure signature verifications per second (one thread) and print them as JSON.")

    @Option(help: "Seconds to measure each verifier for, after its warm-up.")
    var seconds: Double = 3

    @Option(help: "Bytes of each signed document.")
    var size: Int = 4096

    @Option(help: "Distinct signed documents to cycle through.")
    var documents: Int = 64

    @Option(help: "The -seconds of `openssl speed rsa2048` (0: do not run it).")
    var opensslSeconds: Int = 3

    func validate() throws {
        guard seconds > 0, size >= 0, documents > 0, opensslSeconds >= 0 else {
            throw ValidationError("--seconds and --documents must be positive, --size and --openssl-seconds not negative")
        }
    }

    func run() async throws {
        let (seconds, size, documents, opensslSeconds) = (seconds, size, documents, opensslSeconds)
        var result = try await DedicatedThread.run(name: "docrelay-bench-verify") {
            try Self.measure(seconds: seconds, size: size, documents: documents)
        }
        let speed = opensslSeconds > 0
            ? await OpenSSLSpeed.rsa2048(seconds: opensslSeconds)
            : OpenSSLSpeed.Outcome(verifyPerSecond: nil, note: "not run (--openssl-seconds 0)", version: nil)
        result.opensslSpeedVerifyPerSecond = speed.verifyPerSecond
        result.opensslSpeedNote = speed.note
        result.opensslVersion = speed.version
        print(result.jsonLine)
    }

    /// FastCMSVerifier beside CMS_verify; the `openssl speed` figures are filled in by `run`.
    static func measure(seconds: Double, size: Int, documents: Int) throws -> VerifyResult {
        let bench = try VerificationBench(contentSize: size, documents: documents)
        let fast = FastCMSVerifier()
        let fastRate = try bench.measure(fast, seconds: seconds)
        let referenceRate = try bench.measure(OpenSSLCMSVerifier(), seconds: seconds)
        return VerifyResult(
            contentSize: size, documents: documents, seconds: seconds, fastPerSecond: fastRate,
            fastDelegated: fast.statistics.delegated, opensslCMSPerSecond: referenceRate,
            opensslSpeedVerifyPerSecond: nil, opensslSpeedNote: nil, opensslVersion: nil)
    }
}
