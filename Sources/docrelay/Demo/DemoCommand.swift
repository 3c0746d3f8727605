import ArgumentParser
import DocRelayKafka
import Foundation
import Logging

/// `docrelay demo`: one command, no setup. An embedded Kafka, a development PKI with agencies
/// at levels 1 to 4, the relay of the national hub; signed documents delivered and acked, a
/// tampered one dead-lettered with its reason, one whose recipient is not connected yet retried
/// then dead-lettered, then replayed once it is; and the trace of a document.
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
        try await HubDemo(settings: settings, cluster: cluster, folder: folder, logger: logger).run()
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
