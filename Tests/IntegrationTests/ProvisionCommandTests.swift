import DocRelayKafka
import DocRelayTestSupport
import Foundation
import Testing

@Suite("docrelay provision and broker --provision")
struct ProvisionCommandTests {
    let folder: URL
    var directory: String { folder.appendingPathComponent("directory.yaml").path }

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-provision-\(UUID().uuidString)")
        // The sample hubs national, h58 and h53 and their agencies.
        let result = try await runDocRelay(["pki", "init", "--out", folder.path, "--bootstrap-servers", "kafka-dev:9092"])
        try #require(result.exitCode == 0, "\(result.standardError)")
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test("--dry-run prints the plan and the ACLs without reaching Kafka; --acls-only only the ACLs")
    func dryRun() async throws {
        let result = try await runDocRelay(["provision", "--directory", directory, "--hub", "h58", "--partitions", "6", "--dry-run"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(!lines.isEmpty)
        #expect(lines[0] == "Topics of hub h58 (3 agencies, prefix docrelay, 6 partitions, replication 3):")
        let topics = lines.dropFirst().prefix { $0.hasPrefix("  ") }.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(topics == [
            "docrelay.out.000.00.00.H58", "docrelay.in.000.00.00.H58", "docrelay.out.000.00.12.H58", "docrelay.in.000.00.12.H58",
            "docrelay.out.000.07.12.H58", "docrelay.in.000.07.12.H58", "docrelay.hub.h58",
            "docrelay.retry.5s", "docrelay.retry.1m", "docrelay.retry.10m", "docrelay.retry.1h", "docrelay.dlq", "docrelay.events",
            "docrelay.accepted",
        ])
        // Each topic with the retention it is created with (issue 10: none had one, so Kafka's 7 days applied).
        let retentions = Dictionary(uniqueKeysWithValues: lines.dropFirst().prefix { $0.hasPrefix("  ") }.map { line in
            let words = line.split(separator: " ")
            return (String(words[0]), words.count > 2 && words[1] == "retention" ? String(words[2]) : "none")
        })
        print("retention in the dry run: \(retentions.sorted { $0.key < $1.key })")
        #expect(retentions["docrelay.in.000.00.12.H58"] == "30d")
        #expect(retentions["docrelay.dlq"] == "30d")
        #expect(retentions["docrelay.events"] == "90d")
        #expect(retentions["docrelay.accepted"] == "10085m", "acceptance.max-age + max-skew: 7d 5m")
        #expect(lines.contains(
            "kafka-acls.sh --bootstrap-server kafka-dev:9092 --command-config admin.properties --add --allow-principal User:relay-h58 --operation Read --operation Write --operation Describe --topic docrelay.accepted"))
        #expect(retentions["docrelay.out.000.00.12.H58"] == "7d" && retentions["docrelay.retry.1h"] == "7d")
        #expect(lines.contains(
            "kafka-acls.sh --bootstrap-server kafka-dev:9092 --command-config admin.properties --add --allow-principal User:000.00.12.H58 --operation Write --operation Describe --topic docrelay.out.000.00.12.H58"))
        #expect(lines.contains(
            "kafka-acls.sh --bootstrap-server kafka-dev:9092 --command-config admin.properties --add --allow-principal User:relay-h58 --operation Write --topic docrelay.hub.national"))
        #expect(lines.contains("# User:relay-national"), "the neighbour's relay writes into hub.h58")
        #expect(result.standardOutput.hasSuffix("\n\ndry run: nothing created\n"))

        let acls = try await runDocRelay(["provision", "--directory", directory, "--hub", "national", "--acls-only"])
        #expect(acls.exitCode == 0)
        let aclLines = acls.standardOutput.split(separator: "\n").map(String.init)
        #expect(aclLines.allSatisfy { $0.hasPrefix("# User:") || $0.hasPrefix("kafka-acls.sh ") }, "\(acls.standardOutput)")
        #expect(aclLines.contains { $0.hasSuffix("--allow-principal User:relay-national --operation Write --topic docrelay.hub.h53") })
        #expect(aclLines.contains { $0.hasSuffix("--allow-principal User:relay-h53 --operation Write --topic docrelay.hub.national") })

        // --json: the same plan as one object, nothing else on standard output.
        let json = try await runDocRelay(["provision", "--directory", directory, "--hub", "h58", "--partitions", "6", "--dry-run", "--json"])
        #expect(json.exitCode == 0, "\(json.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any], "\(json.standardOutput)")
        #expect(object["hub"] as? String == "h58" && object["partitions"] as? Int == 6 && object["dry-run"] as? Bool == true)
        let planned = (object["topics"] as? [[String: Any]]) ?? []
        let plannedNames: [String] = planned.compactMap { $0["name"] as? String }
        #expect(plannedNames == topics, "\(plannedNames)")
        let events = planned.first { $0["name"] as? String == "docrelay.events" }
        #expect(events?["retention"] as? String == "90d", "\(planned)")
        #expect(planned.allSatisfy { $0["result"] == nil }, "a dry run creates nothing")
        #expect((object["acl-commands"] as? [String])?.contains(
            "kafka-acls.sh --bootstrap-server kafka-dev:9092 --command-config admin.properties --add --allow-principal User:relay-h58 --operation Write --topic docrelay.hub.national") == true)
    }

    @Test("--config: the configuration's hub, tiers, relay group and Kafka")
    func fromConfiguration() async throws {
        let config = try write("""
            hub: h53
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: hubs/h53.pem, key: hubs/h53.key }
            kafka: { bootstrap: "kafka-h53:9093", topic-prefix: tn }
            consumer: { group: relay-tn }
            retry: { tiers: [30s, 5m] }
            retention: { inbox: 60d, dlq: forever }
            """, "h53.yaml")
        let result = try await runDocRelay(["provision", "--config", config, "--dry-run", "--replication", "1"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.hasPrefix("Topics of hub h53 (3 agencies, prefix tn, 3 partitions, replication 1):\n"))
        #expect(text.contains("  tn.retry.30s ") && text.contains("  tn.retry.5m ") && !text.contains("retry.1h"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("  tn.in.000.00.00.H53 ") && $0.contains("retention 60d ") })
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("  tn.dlq ") && $0.contains("retention forever ") })
        let fixDry = try await runDocRelay(["provision", "--config", config, "--dry-run", "--fix-retention"])
        #expect(fixDry.exitCode == 2, "--fix-retention changes the cluster: not with --dry-run")
        for refused in ["--dry-run", "--acls-only"] {
            let applyDry = try await runDocRelay(["provision", "--config", config, refused, "--apply-acls"])
            #expect(applyDry.exitCode == 2, "--apply-acls changes the cluster: not with \(refused)")
            #expect(applyDry.standardError.contains("option --apply-acls"))
        }
        #expect(text.contains("--bootstrap-server kafka-h53:9093 --command-config admin.properties --add --allow-principal User:relay-h53 --operation Read --resource-pattern-type prefixed --group relay-tn"))
        let otherHub = try await runDocRelay(["provision", "--config", config, "--hub", "h58", "--dry-run"])
        #expect(otherHub.exitCode == 2)
        #expect(otherHub.standardError.contains("option --hub h58"))
    }

    @Test("Usage: a directory or a configuration, a known hub; exit 2 with the reason")
    func usage() async throws {
        let neither = try await runDocRelay(["provision", "--dry-run"])
        #expect(neither.exitCode == 2)
        #expect(neither.standardError.contains("--directory"))
        let severalHubs = try await runDocRelay(["provision", "--directory", directory, "--dry-run"])
        #expect(severalHubs.exitCode == 2)
        #expect(severalHubs.standardError.contains("several hubs (national, h58, h53)"))
        let unknownHub = try await runDocRelay(["provision", "--directory", directory, "--hub", "h99", "--dry-run"])
        #expect(unknownHub.exitCode == 2)
        #expect(unknownHub.standardError.contains("no hub 'h99' in the directory"))
        let badPartitions = try await runDocRelay(["provision", "--directory", directory, "--hub", "h58", "--partitions", "0"])
        #expect(badPartitions.exitCode == 2)
    }

    @Test("--wait-for-cluster: a cluster not answering is tried again, each failure said, until the bound (exit 1); without it one attempt (exit 2); the bound is checked")
    func waitForCluster() async throws {
        // Nothing listens on port 1.
        let start = ContinuousClock.now
        let waited = try await runDocRelay([
            "provision", "--directory", directory, "--hub", "h58", "--bootstrap-servers", "127.0.0.1:1",
            "--replication", "1", "--connect-timeout", "1", "--wait-for-cluster", "4",
        ], upTo: .seconds(60))
        let elapsed = ContinuousClock.now - start
        #expect(waited.exitCode == 1, "\(waited.standardError)")
        #expect(elapsed >= .seconds(4) && elapsed < .seconds(30), "\(elapsed)")
        let retries = waited.standardError.split(separator: "\n").filter { $0.hasPrefix("provision: the cluster is not ready") }
        #expect(retries.count >= 2, "\(waited.standardError)")
        #expect(waited.standardError.contains("the cluster was not ready after \(retries.count + 1) attempts"), "\(waited.standardError)")
        #expect(waited.standardError.contains("--wait-for-cluster 4"))

        let once = try await runDocRelay([
            "provision", "--directory", directory, "--hub", "h58", "--bootstrap-servers", "127.0.0.1:1",
            "--replication", "1", "--connect-timeout", "1",
        ], upTo: .seconds(60))
        #expect(once.exitCode == 2, "\(once.standardError)")
        #expect(!once.standardError.contains("not ready"), "\(once.standardError)")

        let unbounded = try await runDocRelay(["provision", "--directory", directory, "--hub", "h58", "--wait-for-cluster", "86400"])
        #expect(unbounded.exitCode == 2)
        #expect(unbounded.standardError.contains("--wait-for-cluster 86400: expected 0 to 3600 seconds"), "\(unbounded.standardError)")
    }

    @Test("On the embedded cluster, which lacks CreateTopics: what exists is not asked for, the rest asked in batches and again, then exit 1 naming the cluster and what is missing")
    func embeddedClusterCannotCreate() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        for name in ["docrelay.out.000.00.00.H58", "docrelay.in.000.00.00.H58", "docrelay.dlq"] {
            try cluster.createTopic(name, partitions: 1)
        }
        let result = try await runDocRelay([
            "provision", "--directory", directory, "--hub", "h58", "--bootstrap-servers", cluster.bootstrapServers,
            "--replication", "1", "--connect-timeout", "1",
        ], upTo: .seconds(90))
        print(result.standardError)
        #expect(result.exitCode == 1)
        let servers = cluster.bootstrapServers
        // Issue 16: the message names the cluster it talked to, what is missing, and that a run
        // again creates only that.
        #expect(result.standardError.contains("the cluster at \(servers) did not create 11 of the 14 topics of hub h58 after 3 attempts"), "\(result.standardError)")
        #expect(result.standardError.contains("0 were created and 3 existed: they stay, and a run again creates only the 11 missing"))
        #expect(result.standardError.contains("docrelay broker --provision"), "nothing was created: the embedded cluster is named as a possible cause")
        #expect(result.standardError.contains("provision: \(servers): 3/14 topics (0 created, 3 existed), 11 to try again"), "progress")
    }

    @Test("provision on a cluster that has every topic already: nothing asked for, exit 0 (a second run creates only what is missing)")
    func everyTopicExists() async throws {
        let broker = try await startBroker(["--provision", directory, "--hub", "h58", "--partitions", "1"])
        let result = try await runDocRelay([
            "provision", "--directory", directory, "--hub", "h58", "--bootstrap-servers", broker.bootstrap,
            "--replication", "1", "--partitions", "1", "--connect-timeout", "2",
        ], upTo: .seconds(60))
        _ = try await broker.stop()
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("0 created, 14 existed already"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("exists   docrelay.out.000.00.12.H58"))
    }

    @Test("broker --provision creates every hub's topics in the embedded cluster; --hub only one hub's")
    func brokerProvision() async throws {
        let broker = try await startBroker(["--provision", directory, "--partitions", "2"])
        let admin = try await KafkaAdmin.connect(settings: KafkaSettings(bootstrap: broker.bootstrap), logger: testLogger)
        let topics = try await admin.listTopics()
        let stopped = try await broker.stop()
        let names = Set(topics.map(\.name))
        // The plan of each sample hub (sharing the prefix, hence one dlq, events and set of tiers).
        var expected: Set<String> = ["docrelay.hub.national", "docrelay.hub.h58", "docrelay.hub.h53", "docrelay.dlq", "docrelay.events",
                                     "docrelay.accepted"]
        for tier in ["5s", "1m", "10m", "1h"] { expected.insert("docrelay.retry.\(tier)") }
        for code in ["000.00.00.G22", "000.00.00.G17", "000.00.00.H58", "000.00.12.H58", "000.07.12.H58",
                     "000.00.00.H53", "000.00.32.H53", "000.21.32.H53"] {
            expected.insert("docrelay.out.\(code)")
            expected.insert("docrelay.in.\(code)")
        }
        #expect(names == expected)
        #expect(topics.allSatisfy { $0.partitionCount == 2 })
        #expect(stopped.standardOutput.contains("Provisioned 26 topics of hubs national, h58, h53 from \(directory)"))

        let one = try await startBroker(["--provision", directory, "--hub", "h53", "--topic", "extra:1"])
        let oneAdmin = try await KafkaAdmin.connect(settings: KafkaSettings(bootstrap: one.bootstrap), logger: testLogger)
        let oneTopics = try await oneAdmin.listTopics()
        _ = try await one.stop()
        #expect(Set(oneTopics.map(\.name)) == [
            "docrelay.out.000.00.00.H53", "docrelay.in.000.00.00.H53", "docrelay.out.000.00.32.H53", "docrelay.in.000.00.32.H53",
            "docrelay.out.000.21.32.H53", "docrelay.in.000.21.32.H53", "docrelay.hub.h53", "docrelay.retry.5s", "docrelay.retry.1m",
            "docrelay.retry.10m", "docrelay.retry.1h", "docrelay.dlq", "docrelay.events", "docrelay.accepted", "extra",
        ])
        #expect(oneTopics.first { $0.name == "extra" }?.partitionCount == 1, "--topic keeps its own partitions")

        let badHub = try await runDocRelay(["broker", "--provision", directory, "--hub", "h99"])
        #expect(badHub.exitCode == 2)
        #expect(badHub.standardError.contains("no hub 'h99'"))
        let hubAlone = try await runDocRelay(["broker", "--hub", "h58"])
        #expect(hubAlone.exitCode == 2)
    }

    /// `docrelay broker` with `arguments`, once it wrote its bootstrap file.
    private func startBroker(_ arguments: [String]) async throws -> (bootstrap: String, stop: () async throws -> ProcessResult) {
        let file = folder.appendingPathComponent("bootstrap-\(UUID().uuidString)").path
        let child = try await ChildProcess(DocRelayBinary.path, ["broker", "--bootstrap-file", file] + arguments)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), text.hasSuffix("\n") {
                return (text.trimmingCharacters(in: .whitespacesAndNewlines), {
                    child.signal(SIGTERM)
                    return try await child.wait(upTo: .seconds(20))
                })
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.signal(SIGKILL)
        throw ProcessTimeout(command: child.command + " (no bootstrap file)")
    }
}
