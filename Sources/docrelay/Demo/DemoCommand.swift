import ArgumentParser
import DocRelayKafka
import Foundation
import Logging

/// `docrelay demo`: one command, no setup. An embedded Kafka, a development PKI with agencies
/// at levels 1 to 4, the relay of the national hub; signed documents delivered and acked, a
/// tampered one dead-lettered with its reason, one whose recipient is not connected yet retried
/// then dead-lettered, then replayed once it is; and the trace of a document. Then three hubs on
/// three clusters: a commune of Tiền Giang writes to a department of Tây Ninh and a ministry,
/// acks and a status come back, and the trace crosses every hub.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run DocRelay's demonstration on an embedded Kafka (or on --bootstrap-servers).")

    @OptionGroup var kafka: KafkaConnectionOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("Keep the demo's PKI, directory and hub.yaml in this folder (default: a temporary one, removed).", valueName: "dir"))
    var keep: String?

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.demo")
        // Options are checked before anything starts.
        var settings = try kafka.settings(bootstrap: kafka.bootstrapServers ?? "")
        var cluster: EmbeddedKafkaCluster?
        if kafka.bootstrapServers == nil {
            do {
                cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
            } catch {
                throw CommandFailure.operation("cannot start the embedded broker: \(error)")
            }
            settings.bootstrapServers = cluster.map { [$0.bootstrapServers] } ?? []
            step("Started an embedded Kafka (librdkafka's mock cluster) at \(cluster?.bootstrapServers ?? "")")
        } else {
            // A cluster we do not own: check it answers before creating anything.
            do {
                let admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
                _ = admin
            } catch let error as KafkaError {
                throw error.startupFailure
            }
        }
        defer { withExtendedLifetime(cluster) {} }
        let folder = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-demo-\(UUID().uuidString.prefix(8))")
        defer { if keep == nil { try? FileManager.default.removeItem(at: folder) } }
        try await HubDemo(settings: settings, cluster: cluster, folder: folder.appendingPathComponent("one-hub"), logger: logger).run()
        print("")
        if cluster != nil {
            try await TreeDemo(folder: folder.appendingPathComponent("three-hubs"), logger: logger).run()
        } else {
            step("Across levels: skipped (three hubs need three clusters: run `docrelay demo` without --bootstrap-servers)")
        }
        print("""

            Demo complete. What it ran is what `docrelay relay --config hub.yaml` runs, one relay per hub; its \
            files are in \(folder.path)\(keep == nil ? " (removed at exit unless --keep DIR)" : "").
            To look at a hub yourself: `docrelay broker --provision DIR/one-hub/directory.yaml` for Kafka, \
            `docrelay relay --config DIR/one-hub/hub.yaml`, `docrelay send`, then `docrelay dlq list`, \
            `docrelay trace <id>`, or kcat -b <bootstrap> -C -t docrelay.events -e. An agency's side: \
            `docrelay agent --config agency.yaml` (docs/agent.md).
            """)
    }
}

func step(_ text: String) {
    print("• \(text)")
    fflush(nil)
}

func detail(_ text: String) {
    print("    \(text)")
    fflush(nil)
}
