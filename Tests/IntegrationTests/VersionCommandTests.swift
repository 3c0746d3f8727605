import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay --version")
struct VersionCommandTests {
    @Test("--version prints DocRelay's version, then the librdkafka and OpenSSL it loaded, the versions Debian's packages and the openssl command report")
    func version() async throws {
        let result = try await runDocRelay(["--version"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result.standardOutput)")
        let ours = lines[0].split(separator: " ")
        #expect(ours.count == 2 && ours[0] == "docrelay" && ours[1].split(separator: ".").count == 3 && ours[1].split(separator: ".").allSatisfy { Int($0) != nil }, "\(lines[0])")
        // librdkafka: the version of Debian's installed package (2.0.2-1 → 2.0.2).
        let package = try await run("/usr/bin/dpkg-query", ["-W", "-f", "${Version}", "librdkafka1"])
        let debian = try #require(package.standardOutput.split(separator: "-").first.map(String.init), "\(package.standardError)")
        #expect(lines[1] == "librdkafka \(debian)", "\(lines[1])")
        // OpenSSL: the openssl command reports the library it loads ("OpenSSL 3.0.x <date> (Library: ...)").
        let openssl = try await run("/usr/bin/env", ["openssl", "version"])
        let words = lines[2].split(separator: " ")
        #expect(words.count >= 2 && words[0] == "OpenSSL" && openssl.standardOutput.contains("OpenSSL \(words[1])"), "\(lines[2]) / \(openssl.standardOutput)")
    }
}

@Suite("docrelay shell completions")
struct CompletionScriptTests {
    @Test("--generate-completion-script writes bash, zsh and fish completions that name the subcommands and the new options")
    func completions() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try await runDocRelay(["--generate-completion-script", shell])
            #expect(result.exitCode == 0, "\(shell): \(result.standardError)")
            for word in ["relay", "agent", "provision", "dlq", "wait-for-cluster", "yes"] {
                #expect(result.standardOutput.contains(word), "\(shell) completions lack \(word)")
            }
        }
    }
}
