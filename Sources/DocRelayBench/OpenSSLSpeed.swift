import Foundation
import Subprocess

/// `openssl speed -seconds N rsa2048`, run from the benchmark so the raw RSA-2048 verify rate
/// of the same machine, at the same moment, stands beside ours.
enum OpenSSLSpeed {
    struct Outcome {
        /// RSA-2048 verifications per second, one process (openssl's default), if measured.
        var verifyPerSecond: Double?
        /// Why there is no figure, when there is none.
        var note: String?
        /// `openssl version`, when it ran.
        var version: String?
    }

    static func rsa2048(seconds: Int) async -> Outcome {
        guard let executable = openssl() else {
            return Outcome(verifyPerSecond: nil, note: "openssl is not installed (not found in PATH)", version: nil)
        }
        let version = await run(executable, ["version"])?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let output = await run(executable, ["speed", "-seconds", String(seconds), "rsa2048"]) else {
            return Outcome(verifyPerSecond: nil, note: "openssl speed did not run", version: version)
        }
        guard let rate = verifyRate(in: output) else {
            return Outcome(
                verifyPerSecond: nil, note: "cannot read the RSA-2048 verify rate in openssl speed's output",
                version: version)
        }
        return Outcome(verifyPerSecond: rate, note: nil, version: version)
    }

    /// The RSA-2048 verify/s of `openssl speed` output: from its summary table, by the column
    /// headed `verify/s` (so the encrypt/decrypt columns of newer versions do not matter), or
    /// else from the progress line `N 2048 bits public RSA's in Ts` (verify is the public-key
    /// operation).
    static func verifyRate(in output: String) -> Double? {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        if let headerIndex = lines.lastIndex(where: { $0.contains("verify/s") }) {
            let header = lines[headerIndex].split(separator: " ").map(String.init)
            for line in lines[(headerIndex + 1)...] {
                let words = line.split(separator: " ").map(String.init)
                guard words.count > 3, words[0] == "rsa", words[1] == "2048", words[2] == "bits" else { continue }
                let values = Array(words.dropFirst(3))
                if values.count == header.count, let column = header.firstIndex(of: "verify/s"),
                   let rate = Double(values[column]) {
                    return rate
                }
            }
        }
        for line in lines {
            let words = line.split(separator: " ").map(String.init)
            // "Doing 2048 bits public rsa's for 3s: 116289 2048 bits public RSA's in 2.99s"
            guard let inIndex = words.lastIndex(of: "in"), inIndex >= 5, inIndex + 1 < words.count,
                  words[inIndex - 1].lowercased().hasPrefix("rsa"),
                  ["public", "verify"].contains(words[inIndex - 2]), words[inIndex - 4] == "2048",
                  let count = Double(words[inIndex - 5].trimmingCharacters(in: CharacterSet(charactersIn: ":"))),
                  let seconds = Double(words[inIndex + 1].trimmingCharacters(in: CharacterSet(charactersIn: "s"))),
                  seconds > 0
            else { continue }
            return count / seconds
        }
        return nil
    }

    private static func openssl() -> URL? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return searchPath.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("openssl") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Standard output of the command, or `nil` if it could not run or failed.
    private static func run(_ executable: URL, _ arguments: [String]) async -> String? {
        guard let (status, output) = try? await ChildRun.output(of: executable, arguments), status.isSuccess else {
            return nil
        }
        return output
    }
}
