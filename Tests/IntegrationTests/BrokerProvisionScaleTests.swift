import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

/// A directory of one hub (`national`) and `count` QCVN agencies without certificates
/// (`000.00.00.H58`, `000.00.01.H58`... `000.19.99.H58`), as `--provision` reads it.
private func writeDirectory(agencies count: Int, to url: URL) throws {
    var text = "hubs:\n  - id: national\n    kafka: { bootstrap: \"127.0.0.1:9092\" }\nagencies:\n"
    for code in agencyCodes(count) {
        text += "  - code: \"\(code)\"\n    name: Agency \(code)\n"
    }
    try Data(text.utf8).write(to: url)
}

private func agencyCodes(_ count: Int) -> [String] {
    (0..<count).map { index in
        "000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"
    }
}

@Suite("docrelay broker --provision at the scale of a national directory")
struct BrokerProvisionScaleTests {
    /// Alone on the 2-core machine the address line comes after 0.5-1.3 s (the acceptance asks 10 s;
    /// the old code never printed it). The bound here is 60 s: under the whole suite in parallel
    /// this test process may be starved for seconds, and a timed assertion must not flake.
    @Test("2,000 agencies: started in the background with output to a file, the address line comes (within 60 s), every topic exists")
    func twoThousandAgencies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("directory.yaml")
        try writeDirectory(agencies: 2_000, to: directory)
        let bootstrapFile = folder.appendingPathComponent("bootstrap").path

        let start = ContinuousClock.now
        // Output to files (ChildProcess), stdin from /dev/null: as `docrelay broker ... > log &`.
        let broker = try await ChildProcess(
            DocRelayBinary.path,
            ["broker", "--provision", directory.path, "--partitions", "1", "--bootstrap-file", bootstrapFile])
        var addressLine: String?
        while addressLine == nil, ContinuousClock.now - start < .seconds(60), broker.isRunning {
            addressLine = broker.standardOutput.split(separator: "\n").first { $0.contains("listening at") }.map(String.init)
            if addressLine == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let elapsed = ContinuousClock.now - start
        print("docrelay broker --provision of 2,000 agencies: address line in its output file after \(elapsed)")
        let line = try #require(
            addressLine,
            "no address line within 60 s (after \(elapsed)); stdout: \(broker.standardOutput.suffix(500)) stderr: \(broker.standardError.suffix(500))")
        let bootstrap = try #require(line.split(separator: " ").last.map(String.init))
        #expect(try String(contentsOfFile: bootstrapFile, encoding: .utf8) == bootstrap + "\n", "the bootstrap file, written before the line")
        #expect(broker.standardOutput.contains("Provisioned 4008 topics of hub national from \(directory.path)"))

        let admin = try await KafkaAdmin.connect(settings: KafkaSettings(bootstrap: bootstrap), logger: testLogger)
        let topics = try await admin.listTopics()
        var expected: Set<String> = ["docrelay.hub.national", "docrelay.dlq", "docrelay.events", "docrelay.accepted"]
        for tier in ["5s", "1m", "10m", "1h"] { expected.insert("docrelay.retry.\(tier)") }
        for code in agencyCodes(2_000) {
            expected.insert("docrelay.out.\(code)")
            expected.insert("docrelay.in.\(code)")
        }
        #expect(topics.count == 4_008)
        let difference = setDifference(topics.map(\.name), expected)
        #expect(difference.isEmpty, "\(difference)")
        #expect(topics.allSatisfy { $0.partitionCount == 1 })

        broker.signal(SIGTERM)
        let stopped = try await broker.wait(upTo: .seconds(20))
        #expect(stopped.exitCode == 0, "\(stopped.standardError)")
    }
}
