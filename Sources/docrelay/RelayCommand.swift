import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `docrelay relay --config hub.yaml`: the relay daemon of one hub.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run the relay daemon of one hub: verify, deliver, acknowledge, retry, dead-letter.",
        discussion: """
            The configuration (hub.yaml) is described in docs/relay.md. SIGTERM or SIGINT: finish \
            the records in processing, commit, flush, exit. SIGHUP: reload the directory.
            """)

    @Option(help: ArgumentHelp("The relay's configuration file.", valueName: "hub.yaml"))
    var config: String

    @Flag(help: "Check the configuration (and the directory, certificates, Kafka properties it names), then exit.")
    var checkConfig = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let setup: RelaySetup
        do {
            setup = try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: config))
        } catch {
            throw CommandFailure.configuration("\(error)")
        }
        if checkConfig {
            print(Self.summary(setup))
            return
        }
        let logger = try LoggingOptions.parse(["--log-level", logLevel]).makeLogger(label: "docrelay.relay")
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: RelayService(setup: setup, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: DirectoryReloadService(store: setup.directory, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as KafkaError {
            throw error.startupFailure
        }
    }

    static func summary(_ setup: RelaySetup) -> String {
        let configuration = setup.configuration
        let directory = setup.directory.current
        let local = directory.agencies.filter { directory.homeHub(of: $0.code)?.id == setup.hub.id }
        return """
            \(configuration.path): valid
              hub: \(setup.hub.id) (\(setup.hub.name)), instance \(configuration.instance)
              directory: \(configuration.directoryPath): \(directory.hubs.count) hubs, \(directory.agencies.count) agencies (\(local.count) at this hub)
              trust: \(configuration.anchorFiles.count) anchor file(s), \(configuration.crlFiles.count) CRL file(s)
              identity: \(setup.identity.certificate.subject)
              kafka: \(setup.kafka.bootstrapServers.joined(separator: ",")), topics \(setup.topics.prefix).*
              consumer group: \(configuration.consumerGroup), \(configuration.workers) workers
              retry tiers: \(configuration.retryTiers.map(\.name).joined(separator: ", ")), max age \(configuration.maxAge)
            """
    }
}
