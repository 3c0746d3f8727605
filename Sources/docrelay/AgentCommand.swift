import ArgumentParser
import DocRelay
import DocRelayAgent
import DocRelayCore
import DocRelayDaemon
import DocRelaySigning
import DocRelayKafka
import Foundation
import ServiceLifecycle
import UnixSignals

/// `docrelay agent --config agency.yaml`: an agency's daemon, sending from a spool folder or
/// HTTP and receiving into a folder or a webhook.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agency's daemon: send from a spool folder or HTTP, receive into a folder or a webhook.",
        discussion: """
            The configuration (agency.yaml) and the folders are described in docs/agent.md, the HTTP \
            API in docs/agent-api.yaml. SIGTERM or SIGINT: finish what is in hand, commit, flush, exit. \
            SIGHUP: reload the directory and the trust files (also every trust.reload-every). \
            `docrelay agent token` makes a token for a client of the API.
            """,
        subcommands: [AgentTokenCommand.self])

    /// Required to run the agent; optional to the parser so that `docrelay agent token` needs none.
    @Option(help: ArgumentHelp("The agent's configuration file (required).", valueName: "agency.yaml"))
    var config: String?

    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        guard let config else {
            throw CommandFailure.configuration("Missing expected argument '--config <agency.yaml>' (docrelay agent --help)")
        }
        guard let (setup, logger) = try daemon.start(
            label: "docrelay.agent", resolve: { try AgentSetup.resolve(try AgentConfiguration.load(contentsOf: config)) },
            summary: Self.summary)
        else { return }
        let agent = AgentService(setup: setup, logger: logger) { address in
            print("agent API listening on http://\(address)")
            fflush(nil)
        }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: DirectoryReloadService(store: setup.directory, logger: logger)),
                .init(service: TrustReloadService(source: setup.trust, every: setup.configuration.trustReloadEvery, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as KafkaError {
            throw error.startupFailure
        }
    }

    static func summary(_ setup: AgentSetup) -> String {
        let configuration = setup.configuration
        var lines = [
            "\(configuration.path): valid",
            "  agency: \(setup.code) (\(setup.agency.name)), home hub \(setup.agency.hubID)",
            "  identity: \(setup.identity.certificate.subject)",
            "  trust: revocation \(setup.trust.status().revocation), reloaded \(configuration.trustReloadEvery.map { "every \(RetentionSummary.age($0))" } ?? "on SIGHUP only")",
            "  kafka: \(setup.kafka.bootstrapServers.joined(separator: ",")), topics \(setup.topics.out(setup.code)) and \(setup.topics.inbox(setup.code))",
            "  state: \(configuration.stateFolder)",
        ]
        if let send = configuration.send {
            lines.append("  send: spool \(send.spool ?? "none (HTTP only)"), scan every \(send.scanInterval)")
        }
        if let receive = configuration.receive {
            lines.append("  receive: inbox \(receive.inbox ?? "none"), webhook \(receive.webhook?.url ?? "none"), group \(receive.group)")
        }
        lines.append("  api: \(configuration.apiListen.map { "http://\($0)" } ?? "none")"
            + (configuration.apiListen == nil ? "" : configuration.apiClients.isEmpty
                ? ", no clients (loopback only)" : ", clients \(configuration.apiClients.map(\.name).joined(separator: ", "))"))
        return lines.joined(separator: "\n")
    }
}
