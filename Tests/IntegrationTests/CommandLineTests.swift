import Foundation
import DocRelayTestSupport
import Testing

@Suite("docrelay's command line: exit codes and messages")
struct CommandLineTests {
    @Test("`docrelay demo` round-trips a record on an embedded Kafka and says so")
    func demo() async throws {
        let result = try await runDocRelay(["demo"], upTo: .seconds(90))
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("key, value and headers equal byte for byte"))
        #expect(result.standardOutput.contains("Committed docrelay.demo"))
    }

    @Test("`docrelay demo` runs against a broker given by --bootstrap-servers")
    func demoOnAGivenBroker() async throws {
        let broker = try await BrokerProcess.start(topics: ["docrelay.demo:3"])
        let result = try await runDocRelay(["demo", "--bootstrap-servers", broker.bootstrap], upTo: .seconds(90))
        _ = try await broker.stop()
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Topic docrelay.demo exists"))
        #expect(result.standardOutput.contains("equal byte for byte"))
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
            ["demo", "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "2"], upTo: .seconds(30))
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("127.0.0.1:1"))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("Commands of later issues say they are not built yet, with exit 2")
    func pendingCommands() async throws {
        for command in [["agent"]] {
            let result = try await runDocRelay(command)
            #expect(result.exitCode == 2, "\(command)")
            #expect(result.standardError.contains("is not built yet"), "\(command)")
        }
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
