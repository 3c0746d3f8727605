import Foundation
import DocRelayTestSupport
import Testing

@Suite("docrelay's command line: exit codes and messages")
struct CommandLineTests {
    @Test("`docrelay demo` tells the whole story on an embedded Kafka: delivered and acked, refused, retried and dead-lettered, replayed, traced; then across three hubs")
    func demo() async throws {
        let result = try await runDocRelay(["demo"], upTo: .seconds(150))
        #expect(result.exitCode == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("✓ delivered into docrelay.in.000.00.00.H58"))
        #expect(output.contains("✓ ack to 000.00.00.G22 in docrelay.in.000.00.00.G22: delivered to 000.00.32.H53"))
        #expect(output.contains("✗ dead-lettered in docrelay.dlq as signature: dr-sha256"))
        #expect(output.contains("✓ negative ack to 000.00.12.H58: failed"))
        #expect(output.contains("✗ dead-lettered as exhausted"))
        #expect(output.contains("↺ replayed into docrelay.retry.1s"))
        #expect(output.contains("✓ delivered into docrelay.in.000.07.12.H58, once"))
        #expect(output.contains("national/demo  accepted"))
        // Across levels, three hubs on three clusters.
        #expect(output.contains("✓ delivered into docrelay.in.000.00.32.H53 on hub h53, by way of h58 → national → h53"))
        #expect(output.contains("✓ delivered into docrelay.in.000.00.00.G17 on hub national, by way of h58 → national"))
        #expect(output.contains("✓ ack back to the commune on h58: delivered to 000.00.32.H53, signed by hub:h53"))
        #expect(output.contains("✓ ack back to the commune on h58: delivered to 000.00.00.G17, signed by hub:national"))
        #expect(output.contains("✓ status 03 (accepted and registered) from 000.00.32.H53"))
        for hop in ["h58/demo  forwarded", "national/demo  forwarded", "h53/demo  delivered"] {
            #expect(output.contains(hop), "\(hop)")
        }
        #expect(output.contains("Demo complete."))
        #expect(result.standardError.isEmpty, "nothing logged at the default level: \(result.standardError)")
    }

    @Test("A wrong librdkafka property: exit 2, the property named")
    func wrongProperty() async throws {
        let unknown = try await runDocRelay(["demo", "-X", "no.such.property=1"])
        #expect(unknown.exitCode == 2)
        #expect(unknown.standardError.contains("no.such.property"))
        let invalid = try await runDocRelay(["demo", "-X", "acks=banana"])
        #expect(invalid.exitCode == 2)
        #expect(invalid.standardError.contains("'acks'"))
        #expect(invalid.standardError.contains("banana"))
        let malformed = try await runDocRelay(["demo", "-X", "acks"])
        #expect(malformed.exitCode == 2)
        #expect(malformed.standardError.contains("expected name=value"))
    }

    @Test("An unreachable bootstrap address: exit 2 within the connect timeout, the address named")
    func unreachable() async throws {
        let started = ContinuousClock.now
        let result = try await runDocRelay(
            ["demo", "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "2"], upTo: .seconds(60))
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("127.0.0.1:1"))
        // 2 s to connect; the rest is process start-up, slow on a loaded machine: this checks "no hang".
        #expect(ContinuousClock.now - started < .seconds(50))
    }

    @Test("docrelay agent without --config names the option, with exit 2")
    func agentUsage() async throws {
        let result = try await runDocRelay(["agent"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("--config <agency.yaml>"))
    }

    @Test("Signing commands without their required arguments exit 2, naming what is missing")
    func signingUsage() async throws {
        let sign = try await runDocRelay(["sign"])
        #expect(sign.exitCode == 2)
        #expect(sign.standardError.contains("<file>"))
        let send = try await runDocRelay(["send", "/dev/null", "--headers", "/dev/null"])
        #expect(send.exitCode == 2)
        #expect(send.standardError.contains("--bootstrap-servers"))
        let verify = try await runDocRelay(["verify", "/dev/null", "--headers", "/dev/null"])
        #expect(verify.exitCode == 2)
    }

    @Test("Bad usage exits 2; --help exits 0")
    func usage() async throws {
        #expect(try await runDocRelay(["frobnicate"]).exitCode == 2)
        #expect(try await runDocRelay(["demo", "--log-level", "loud"]).exitCode == 2)
        let help = try await runDocRelay(["--help"])
        #expect(help.exitCode == 0)
        #expect(help.standardOutput.contains("broker"))
    }
}

@Suite("docrelay's Kafka options from files")
struct PropertiesFileOptionTests {
    @Test("A bad -F file: exit 2 naming the file, the line or key, and what was expected")
    func badPropertiesFile() async throws {
        let directory = FileManager.default.temporaryDirectory
        let malformed = directory.appendingPathComponent("malformed-\(UUID().uuidString).properties")
        try Data("security.protocol=plaintext\nnot a property\n".utf8).write(to: malformed)
        let refused = directory.appendingPathComponent("refused-\(UUID().uuidString).properties")
        try Data("security.protocol=tcp\n".utf8).write(to: refused)
        defer {
            try? FileManager.default.removeItem(at: malformed)
            try? FileManager.default.removeItem(at: refused)
        }
        let first = try await runDocRelay(["demo", "-F", malformed.path])
        #expect(first.exitCode == 2)
        #expect(first.standardError.contains("\(malformed.path):2: expected name=value"))
        let second = try await runDocRelay(["demo", "-F", refused.path])
        #expect(second.exitCode == 2)
        #expect(second.standardError.contains("\(refused.path): key 'security.protocol'"))
        let missing = try await runDocRelay(["demo", "-F", "/nonexistent/client.properties"])
        #expect(missing.exitCode == 2)
        #expect(missing.standardError.contains("/nonexistent/client.properties"))
    }
}
