import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// `docrelay sign` and `send` of a document over one record's limit (issue 13): signed whole,
/// sent as its 512 KiB segments; refused over the sender's home hub's max-document-bytes.
@Suite("Large documents from the command line: sign and send in segments, up to the home hub's limit")
struct LargeDocumentCommandTests {
    let folder: URL

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-large-\(UUID().uuidString)")
        let result = try await runDocRelay(["pki", "init", "--out", folder.path])
        try #require(result.exitCode == 0, "\(result.standardError)")
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private var signer: [String] {
        ["--cert", path("agencies/000.00.00.G22.pem"), "--key", path("agencies/000.00.00.G22.key"), "--from", "000.00.00.G22", "--to", "000.00.00.H58"]
    }

    @Test("A 3 MiB document: sign prints its headers; send publishes six segments whose bytes are the document's")
    func signAndSend() async throws {
        let value = pseudoRandomBytes(count: 3 * 1_048_576, seed: 7)
        try Data(value).write(to: folder.appendingPathComponent("big.pdf"))
        let signed = try await runDocRelay(["sign", path("big.pdf"), "--id", "big-cli-1"] + signer)
        #expect(signed.exitCode == 0, "\(signed.standardError)")
        #expect(signed.standardOutput.contains("\"dr-sha256\": \"\(SHA256Hex.of(value))\""))

        let broker = try await BrokerProcess.start(topics: ["docrelay.out.000.00.00.G22:1"])
        let sent = try await runDocRelay(
            ["send", path("big.pdf"), "--id", "big-cli-1", "--bootstrap-servers", broker.bootstrap, "--directory", path("directory.yaml")] + signer)
        #expect(sent.exitCode == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("sent in 6 segments of at most 524288 bytes"))
        let consumer = try KafkaConsumer(settings: consumerSettings(bootstrap: broker.bootstrap), logger: testLogger)
        try consumer.subscribe(topics: ["docrelay.out.000.00.00.G22"])
        let records = try await consumer.take(6)
        await consumer.close()
        _ = try await broker.stop()
        #expect(records.map { $0.headers.string(named: HeaderName.segment) } == (0..<6).map { "\($0)/6" })
        #expect(records.allSatisfy { $0.key == Array("big-cli-1".utf8) && $0.headers.string(named: HeaderName.size) == "\(value.count)" })
        #expect(byteDifference(records.flatMap(\.value), value) == nil)
    }

    @Test("Over the home hub's max-document-bytes (--directory): sign and send exit 2, naming the limit and the hub")
    func overTheLimit() async throws {
        let directory = try String(contentsOfFile: path("directory.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  - id: \"national\"\n", with: "  - id: \"national\"\n    max-document-bytes: 2097152\n")
        try Data(directory.utf8).write(to: folder.appendingPathComponent("directory.yaml"))
        try Data(repeating: 0x41, count: 3 * 1_048_576).write(to: folder.appendingPathComponent("big.pdf"))
        for command in ["sign", "send"] {
            let result = try await runDocRelay(
                [command, path("big.pdf"), "--directory", path("directory.yaml")] + signer
                    + (command == "send" ? ["--bootstrap-servers", "127.0.0.1:9"] : []))
            #expect(result.exitCode == 2, "\(command): \(result.standardOutput)")
            #expect(result.standardError.contains("oversize: 3145728 bytes, over the limit of 2097152 bytes (max-document-bytes of hub national"),
                    "\(command): \(result.standardError)")
        }
    }
}
