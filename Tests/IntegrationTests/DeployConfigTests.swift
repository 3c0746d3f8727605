import DocRelayTestSupport
import Foundation
import Testing
import Yams

/// The configurations in deploy/ and docker-compose.yml are what operators start from: they are
/// checked here as the relay and the agent would check them, so they cannot rot.
@Suite("deploy/: every configuration passes --check-config")
struct DeployConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether a configuration of deploy/ is an agent's (`agency:` at the top, as in
    /// agency-*.yaml) rather than a relay's (`hub:`).
    static func isAgentConfiguration(_ url: URL) throws -> Bool {
        let text = try String(contentsOf: url, encoding: .utf8)
        return (try Yams.load(yaml: text) as? [String: Any])?["agency"] != nil
    }

    @Test("Each configuration in deploy/, with the development PKI of deploy/init-pki.sh, passes relay or agent --check-config, which creates nothing")
    func configurations() async throws {
        let deploy = Self.root.appendingPathComponent("deploy")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-deploy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: deploy, to: work)
        defer { try? FileManager.default.removeItem(at: work) }
        let pki = try await run(
            "/bin/sh", [work.appendingPathComponent("init-pki.sh").path, work.path],
            environment: ["DOCRELAY": DocRelayBinary.path])
        try #require(pki.exitCode == 0, "init-pki.sh: \(pki.standardError)")
        let configurations = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let agents = try configurations.filter { try Self.isAgentConfiguration(work.appendingPathComponent($0)) }
        let relays = configurations.filter { !agents.contains($0) }
        // Each configuration reads pki/ as its container sees it: its own principal's folder of
        // init-pki.sh (hub.yaml: relay; agency-<x>.yaml: agent-<x>), its Kafka credentials included.
        try FileManager.default.moveItem(at: work.appendingPathComponent("pki"), to: work.appendingPathComponent("whole-pki"))
        func usePrincipal(_ configuration: String) throws {
            let folder = configuration.hasPrefix("agency-") ? "agent-" + configuration.dropFirst("agency-".count).dropLast(".yaml".count) : "relay"
            try? FileManager.default.removeItem(at: work.appendingPathComponent("pki"))
            try FileManager.default.createSymbolicLink(at: work.appendingPathComponent("pki"), withDestinationURL: work.appendingPathComponent(folder))
        }
        #expect(relays.contains("hub.yaml"))
        #expect(agents.count >= 2, "agent configurations: \(agents)")
        for name in relays {
            try usePrincipal(name)
            let result = try await runDocRelay(["relay", "--config", work.appendingPathComponent(name).path, "--check-config"])
            #expect(result.exitCode == 0, "\(name): \(result.standardError)")
            #expect(result.standardOutput.contains("valid"), "\(name)")
        }
        let before = try FileManager.default.subpathsOfDirectory(atPath: work.path).sorted()
        for name in agents {
            let file = work.appendingPathComponent(name)
            // The folders it names (state, spool, inbox) need not exist, and are not created.
            let folders = try Self.agentFolders(file)
            #expect(!folders.isEmpty, "\(name)")
            let absent = folders.filter { !FileManager.default.fileExists(atPath: $0) }
            try usePrincipal(name)
            let result = try await runDocRelay(["agent", "--config", file.path, "--check-config"])
            #expect(result.exitCode == 0, "\(name): \(result.standardError)")
            #expect(result.standardOutput.contains("valid"), "\(name)")
            for folder in absent {
                #expect(!FileManager.default.fileExists(atPath: folder), "\(name): --check-config created \(folder)")
            }
        }
        try usePrincipal("hub.yaml")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: work.path).sorted() == before)
    }

    /// The folders an agent configuration names: `state` (default `agent-state`), `send.spool`,
    /// `receive.inbox`, resolved against the file's folder as the agent resolves them.
    static func agentFolders(_ file: URL) throws -> [String] {
        let text = try String(contentsOf: file, encoding: .utf8)
        let top = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = [
            top["state"] as? String ?? "agent-state",
            (top["send"] as? [String: Any])?["spool"] as? String,
            (top["receive"] as? [String: Any])?["inbox"] as? String,
        ].compactMap { $0 }
        return paths.map { $0.hasPrefix("/") ? $0 : file.deletingLastPathComponent().appendingPathComponent($0).path }
    }

    @Test("docker-compose.yml mounts what the configurations name, and runs init-pki, provision, the relay and two agents")
    func compose() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        for name in ["kafka-1", "kafka-2", "kafka-3", "pki-init", "provision", "relay", "agent-g22", "agent-h58"] {
            #expect(services[name] != nil, "service \(name)")
        }
        #expect(text.contains("./deploy/hub.yaml:/etc/docrelay/hub.yaml"))
        #expect(text.contains("./deploy/kafka:/etc/docrelay/kafka"))
        #expect(!text.contains("issue #5"))

        let namedVolumes = (compose["volumes"] as? [String: Any]) ?? [:]
        for (service, file) in [("agent-g22", "agency-g22.yaml"), ("agent-h58", "agency-h58.yaml")] {
            let agent = try #require(services[service] as? [String: Any], "service \(service)")
            let command = try #require(agent["command"] as? [String], "\(service): command")
            let configPath = "/etc/docrelay/\(file)"
            #expect(command == ["agent", "--config", configPath], "\(service): \(command)")
            let volumes = try #require(agent["volumes"] as? [String], "\(service): volumes")
            #expect(volumes.contains("./deploy/\(file):\(configPath):ro"), "\(service): \(volumes)")
            #expect(volumes.contains("./deploy/kafka:/etc/docrelay/kafka:ro"), "\(service): \(volumes)")
            #expect(volumes.contains("pki-\(service):/etc/docrelay/pki:ro"), "\(service): \(volumes)")
            let provision = (agent["depends_on"] as? [String: Any])?["provision"] as? [String: Any]
            #expect(provision?["condition"] as? String == "service_completed_successfully", "\(service): depends_on provision")

            // Its spool, inbox and state live in a named volume, and its API port is published.
            let configuration = Self.root.appendingPathComponent("deploy").appendingPathComponent(file)
            let stateVolumes = volumes.compactMap { entry -> (name: String, target: String)? in
                let parts = entry.split(separator: ":").map(String.init)
                guard parts.count >= 2, namedVolumes.keys.contains(parts[0]), !parts[0].hasPrefix("pki-"), parts[0] != "docrelay-pki" else { return nil }
                return (parts[0], parts[1])
            }
            #expect(stateVolumes.count == 1, "\(service): one named volume for its folders, not \(stateVolumes)")
            for folder in try Self.agentFolders(configuration) {
                #expect(stateVolumes.contains { folder.hasPrefix($0.target + "/") }, "\(service): \(folder) is in no volume")
            }
            let configurationText = try String(contentsOf: configuration, encoding: .utf8)
            let top = try #require(try Yams.load(yaml: configurationText) as? [String: Any])
            let listen = try #require((top["api"] as? [String: Any])?["listen"] as? String, "\(file): api.listen")
            #expect(listen.hasPrefix("0.0.0.0:"), "\(file): the API listens on every interface of the container")
            let port = String(listen.split(separator: ":").last ?? "")
            let ports = (agent["ports"] as? [String]) ?? []
            #expect(ports.contains { $0.hasSuffix(":\(port)") }, "\(service): port \(port) published, not \(ports)")
            // Whoever reaches the API signs as the agency: clients only, published on the host's loopback.
            let clients = ((top["api"] as? [String: Any])?["clients"] as? [Any]) ?? []
            #expect(!clients.isEmpty, "\(file): api.clients")
            #expect(ports.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(service): published on the host's loopback only, not \(ports)")
        }
    }

    @Test("docker-compose.yml publishes no broker port, and admin and API ports on the host's loopback only; the image runs as docrelay (uid 10001), not root")
    func exposure() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        for (name, value) in services {
            let service = try #require(value as? [String: Any], "service \(name)")
            let ports = (service["ports"] as? [Any] ?? []).map { "\($0)" }
            if name.hasPrefix("kafka-") {
                #expect(ports.isEmpty, "\(name): a broker reachable from outside compose's network: \(ports)")
            }
            // Published ports (short syntax host:container or ip:host:container) name 127.0.0.1.
            #expect(ports.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(name): \(ports)")
            #expect(service["network_mode"] as? String != "host", "\(name)")
            #expect(service["privileged"] as? Bool != true, "\(name)")
            if let user = service["user"] as? String {
                #expect(!["root", "0"].contains(user.split(separator: ":").first.map(String.init) ?? user), "\(name): user \(user)")
            }
        }
        #expect(services.keys.filter { $0.hasPrefix("kafka-") }.count == 3)
        let relay = try #require(services["relay"] as? [String: Any])
        #expect((relay["ports"] as? [String]) == ["127.0.0.1:9480:9480"])
        let hub = try #require(try Yams.load(yaml: String(contentsOf: Self.root.appendingPathComponent("deploy/hub.yaml"), encoding: .utf8)) as? [String: Any])
        #expect((hub["admin"] as? [String: Any])?["listen"] as? String == "0.0.0.0:9480", "the port compose publishes")

        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        let runtime = try #require(dockerfile.components(separatedBy: "\nFROM ").last)
        let users = runtime.split(separator: "\n").filter { $0.hasPrefix("USER ") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
        #expect(users == ["10001:10001"], "the runtime stage's USER: \(users)")
        #expect(runtime.contains("useradd --system --uid 10001 --gid 10001"))
        // USER comes after every RUN (a RUN after it would fail as that user, or run as root if reset).
        let lines = runtime.split(separator: "\n").map(String.init)
        let userLine = try #require(lines.firstIndex { $0.hasPrefix("USER ") })
        #expect(!lines[userLine...].contains { $0.hasPrefix("RUN ") || $0.hasPrefix("USER root") })
    }

    /// Each service of docker-compose.yml that runs docrelay with a configuration, the
    /// configuration it runs, and the folder of init-pki.sh's output its volume holds.
    static let principals: [(service: String, configuration: String, folder: String)] = [
        ("relay", "hub.yaml", "relay"), ("provision", "hub.yaml", "provision"),
        ("agent-g22", "agency-g22.yaml", "agent-g22"), ("agent-h58", "agency-h58.yaml", "agent-h58"),
    ]

    @Test("docker-compose.yml: only pki-init mounts the whole PKI (the CA's key, every agency's); each service mounts its own principal's volume, read-only")
    func secretsPerContainer() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        var owners: [String: Set<String>] = [:]
        for (name, value) in services {
            let service = try #require(value as? [String: Any])
            for entry in (service["volumes"] as? [String] ?? []) {
                let parts = entry.split(separator: ":").map(String.init)
                guard parts.count >= 2, parts[0] == "docrelay-pki" || parts[0].hasPrefix("pki-") else { continue }
                owners[parts[0], default: []].insert(name)
                if name != "pki-init" {
                    #expect(parts[0] != "docrelay-pki", "\(name) mounts the whole PKI, the CA's key included")
                    #expect(parts.last == "ro", "\(name): \(entry) read-only")
                }
            }
        }
        #expect(owners["docrelay-pki"] == ["pki-init"])
        for (service, _, folder) in Self.principals {
            let volume = "pki-\(folder)"
            let mounting = owners[volume] ?? []
            // The tools container is the operator's, with provision's (the administrator's) folder.
            let allowed: Set<String> = folder == "provision" ? ["pki-init", "provision", "docrelay"] : ["pki-init", service]
            #expect(mounting.contains(service) && mounting.isSubset(of: allowed), "\(volume) mounted by \(mounting.sorted())")
        }
    }

    @Test("init-pki.sh gives each principal only its own key: each service's configuration passes --check-config with its own folder alone, and reads its Kafka credentials with librdkafka")
    func principalFolders() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-principals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let script = Self.root.appendingPathComponent("deploy/init-pki.sh").path
        for _ in 0..<2 {  // the second run keeps everything
            let pki = try await run("/bin/sh", [script, work.appendingPathComponent("out").path], environment: ["DOCRELAY": DocRelayBinary.path])
            try #require(pki.exitCode == 0, "init-pki.sh: \(pki.standardError)")
        }
        let out = work.appendingPathComponent("out")
        let users = try String(contentsOf: out.appendingPathComponent("kafka/scram-users"), encoding: .utf8).split(separator: "\n")
        #expect(users.count == 5, "one SCRAM user per principal and the brokers', once: \(users)")
        for (service, configuration, folder) in Self.principals {
            let view = work.appendingPathComponent(service)
            try FileManager.default.createDirectory(at: view, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: out.appendingPathComponent(folder), to: view.appendingPathComponent("pki"))
            let files = try FileManager.default.subpathsOfDirectory(atPath: view.appendingPathComponent("pki").path)
            let keys = files.filter { $0.hasSuffix(".key") }
            #expect(!files.contains("ca.key"), "\(service)")
            #expect(keys.count == (service == "provision" ? 0 : 1), "\(service): \(keys)")
            #expect(files.contains("kafka.properties") && files.contains("ca.pem") && files.contains("directory.yaml"), "\(service): \(files)")
            // Its Kafka credentials through the configuration loader (librdkafka checks every property).
            let text = try String(contentsOf: Self.root.appendingPathComponent("deploy/\(configuration)"), encoding: .utf8)
            #expect(text.contains("properties-file: pki/kafka.properties"), "\(configuration): the principal's own credentials")
            let file = view.appendingPathComponent(configuration)
            try Data(text.utf8).write(to: file)
            let properties = try String(contentsOf: view.appendingPathComponent("pki/kafka.properties"), encoding: .utf8)
            #expect(properties.contains("security.protocol=sasl_ssl") && properties.contains("sasl.mechanisms=SCRAM-SHA-512"), "\(service)")
            #expect(properties.contains("ssl.ca.location=/etc/docrelay/pki/kafka-ca.pem") && files.contains("kafka-ca.pem"), "\(service)")
            let username = properties.split(separator: "\n").first { $0.hasPrefix("sasl.username=") }.map { String($0.dropFirst("sasl.username=".count)) }
            #expect(username.map { name in users.contains { $0.hasPrefix("SCRAM-SHA-512=[name=\(name),password=") } } == true, "\(service): its user is among the brokers' SCRAM users")
            guard service != "provision" else { continue }
            let command = configuration.hasPrefix("agency") ? "agent" : "relay"
            let result = try await runDocRelay([command, "--config", file.path, "--check-config"])
            #expect(result.exitCode == 0, "\(service): \(result.standardError)")
        }
        // Each broker's PEM keystore: a key, then a server certificate for kafka-N from the Kafka TLS CA
        // (its key stays in pki/, with the documents' CA key).
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("pki/kafka-ca.key").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("kafka/kafka-ca.key").path))
        for n in 1...3 {
            let keystore = out.appendingPathComponent("kafka/kafka-\(n).pem").path
            #expect(try String(contentsOfFile: keystore, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))
            let verify = try await run("/usr/bin/env", ["openssl", "verify", "-CAfile", out.appendingPathComponent("kafka/kafka-ca.pem").path, "-purpose", "sslserver", "-verify_hostname", "kafka-\(n)", keystore])
            #expect(verify.exitCode == 0, "kafka-\(n).pem: \(verify.standardOutput) \(verify.standardError)")
        }
        let modes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("relay/hubs/national.key").path)[.posixPermissions] as? Int
        #expect(modes.map { $0 & 0o077 } == 0, "keys readable by their owner only")
    }

    @Test("docker-compose.yml: the brokers speak TLS only, SASL/SCRAM on the clients' listener, with an authorizer and no access without an ACL; their keystores are init-pki.sh's")
    func brokerSecurity() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        for name in ["kafka-1", "kafka-2", "kafka-3"] {
            let broker = try #require(services[name] as? [String: Any])
            let environment = try #require(broker["environment"] as? [String: Any], "\(name)")
            let map = try #require(environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] as? String)
            let protocols = Set(map.split(separator: ",").compactMap { $0.split(separator: ":").last.map(String.init) })
            #expect(protocols.isSubset(of: ["SSL", "SASL_SSL"]), "\(name): \(map)")
            #expect(environment["KAFKA_SASL_ENABLED_MECHANISMS"] as? String == "SCRAM-SHA-512")
            #expect(environment["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] as? String == "false")
            #expect((environment["KAFKA_AUTHORIZER_CLASS_NAME"] as? String)?.hasSuffix("StandardAuthorizer") == true)
            #expect(environment["KAFKA_SUPER_USERS"] as? String == "User:admin;User:broker")
            #expect(environment["KAFKA_LISTENER_NAME_CONTROLLER_SSL_CLIENT_AUTH"] as? String == "required")
            let volumes = (broker["volumes"] as? [String]) ?? []
            #expect(volumes.contains("pki-kafka:/etc/kafka/secrets/docrelay:ro"), "\(name): \(volumes)")
            #expect(volumes.contains("./deploy/broker/start.sh:/etc/kafka/docrelay-start.sh:ro"), "\(name): \(volumes)")
            #expect(broker["command"] as? [String] == ["/bin/bash", "/etc/kafka/docrelay-start.sh"], "\(name)")
            #expect(!text.contains("password="), "no password in compose")
        }
        // provision applies the ACLs, as the administrator (its own folder's credentials).
        let provision = try #require(services["provision"] as? [String: Any])
        let command = (provision["command"] as? [String]) ?? []
        #expect(command.contains("--apply-acls") && command.contains("/etc/docrelay/pki/kafka.properties"), "\(command)")
        // The start script formats with the SCRAM users and the keystore init-pki.sh writes.
        let start = try String(contentsOf: Self.root.appendingPathComponent("deploy/broker/start.sh"), encoding: .utf8)
        #expect(start.contains("--add-scram") && start.contains("scram-users") && start.contains("kafka-$KAFKA_NODE_ID.pem"))
        let syntax = try await run("/bin/bash", ["-n", Self.root.appendingPathComponent("deploy/broker/start.sh").path])
        #expect(syntax.exitCode == 0, "bash -n: \(syntax.standardError)")
    }

    @Test("A broken configuration is refused with the file, the line and the key named (exit 2)")
    func brokenConfiguration() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        try Data("hub: national\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\nretry:\n  tiers: [5s, soon]\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await runDocRelay(["relay", "--config", file.path, "--check-config"])
        #expect(result.exitCode == 2)
        #expect(result.standardError.contains("\(file.path):6"))
        #expect(result.standardError.contains("key 'retry.tiers'"))
        #expect(result.standardError.contains("'soon'"))
    }

    @Test("deploy/Dockerfile builds with what make test installs, copies every folder the manifest names, and ships the runtime libraries")
    func dockerfile() throws {
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        let makefile = try String(contentsOf: Self.root.appendingPathComponent("Makefile"), encoding: .utf8)
        let aptLine = try #require(makefile.split(separator: "\n").first { $0.hasPrefix("APT_PACKAGES") })
        let developmentPackages = aptLine.split(separator: " ").filter { $0.hasSuffix("-dev") }.map(String.init)
        #expect(developmentPackages.count >= 3, "\(aptLine)")
        let stages = Array(dockerfile.components(separatedBy: "\nFROM ").dropFirst())
        try #require(stages.count == 2, "a build stage and a runtime stage")
        for package in developmentPackages {
            #expect(stages[0].contains(package), "the build stage installs \(package)")
        }
        // The manifest points at Sources and Tests (test targets with custom paths included).
        for folder in ["Package.swift", "Sources", "Tests"] {
            #expect(stages[0].contains("COPY \(folder)"), "the build stage copies \(folder)")
        }
        for library in ["librdkafka1", "libssl3", "libsqlite3-0"] {
            #expect(stages[1].contains(library), "the runtime stage installs \(library)")
        }
    }
}
