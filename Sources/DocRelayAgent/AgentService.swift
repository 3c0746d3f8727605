import AsyncHTTPClient
import DocRelayCore
public import DocRelayKafka
import Foundation
import Hummingbird
import NIOCore
public import Logging
public import ServiceLifecycle

/// An agency's daemon (`docrelay agent`): its sending side (spool folder, HTTP), its receiving
/// side (the `in` topic into an inbox folder and/or a webhook) and its HTTP API, over one store.
/// On graceful shutdown it stops taking work, finishes what is in hand (a webhook still failing
/// is left for the next run: its record is not committed), commits and flushes.
public struct AgentService: Service {
    let setup: AgentSetup
    let logger: Logger
    /// Called with the API's address once it listens (the CLI prints it; tests wait for it).
    let onListening: @Sendable (String) -> Void

    public init(setup: AgentSetup, logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }) {
        self.setup = setup
        var logger = logger
        logger[metadataKey: LogKey.agency] = "\(setup.code)"
        self.logger = logger
        self.onListening = onListening
    }

    /// A crash (kill -9, power loss) inside a durable write leaves its temporary file behind:
    /// removed before anything is written again, so no reader of these folders finds one.
    private func removeLeftoverTemporaries(in folders: [String]) {
        for folder in folders {
            let removed = DurableFiles.removeLeftoverTemporaries(in: folder)
            guard !removed.isEmpty else { continue }
            logger.notice(
                "Removed temporary files a crash left behind",
                metadata: ["docrelay.folder": "\(folder)", "docrelay.files": "\(removed)"])
        }
    }

    public func run() async throws {
        let configuration = setup.configuration
        let store = try AgentStore(folder: configuration.stateFolder)
        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: setup.kafka), logger: logger)
        let preparer = DocumentPreparer(agency: setup.code, identity: setup.identity, directory: setup.directory, trust: setup.trust)
        let outbox = DocumentOutbox(
            store: store, producer: producer, preparer: preparer, topics: setup.topics,
            segmentPace: configuration.send?.segmentPace ?? 0, logger: logger)
        let statuses = StatusSender(outbox: outbox, store: store, agency: setup.agency, logger: logger)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let parked = ParkedDocuments(root: configuration.stateFolder)
        let status = AgentStatus()
        removeLeftoverTemporaries(
            in: [configuration.receive?.inbox, configuration.send?.spool.map { SpoolFolder(root: $0).rejected }].compactMap { $0 }
                + parked.folders)

        var spoolSender: SpoolSender?
        if let send = configuration.send, let root = send.spool {
            let spool = SpoolFolder(root: root)
            try spool.createFolders()
            spoolSender = SpoolSender(
                spool: spool, outbox: outbox, store: store, scanInterval: send.scanInterval, concurrency: send.concurrency,
                status: status, logger: logger)
        }
        var receiver: (DocumentReceiver, KafkaConsumer)?
        var redelivery: Redelivery?
        if let receive = configuration.receive {
            let webhook = receive.webhook.map { WebhookDeliverer(configuration: $0, client: httpClient, logger: logger) }
            let documents = DocumentReceiver(
                setup: setup, store: store, inbox: receive.inbox.map(InboxFolder.init), webhook: webhook,
                statuses: receive.sendsReceivedStatus ? statuses : nil, parked: parked, status: status,
                sdkMailbox: configuration.sdk != nil, segmentTimeout: receive.segmentTimeout, logger: logger)
            var settings = KafkaConsumerSettings(connection: setup.kafka, groupID: receive.group)
            settings.sessionTimeout = .seconds(10)
            let consumer = try await KafkaConsumer.connect(settings: settings, logger: logger)
            receiver = (documents, consumer)
            redelivery = webhook.map { Redelivery(webhook: $0, store: store, statuses: receive.sendsReceivedStatus ? statuses : nil) }
        }
        let watch = AgentHealthWatch(
            producer: producer, status: status, thresholds: configuration.health,
            lagOf: configuration.receive.map { ($0.group, setup.topics.inbox(setup.code)) }, kafka: setup.kafka, logger: logger)
        logger.notice("Agent started", metadata: [
            "docrelay.kafka.bootstrap": "\(setup.kafka.bootstrapServers.joined(separator: ","))",
            "docrelay.spool": "\(configuration.send?.spool ?? "-")",
            "docrelay.inbox": "\(configuration.receive?.inbox ?? "-")",
            "docrelay.webhook": "\(configuration.receive?.webhook?.url ?? "-")",
        ])

        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await watch.watchForFatalError() }
                group.addTask { try await watch.probeKafka() }
                group.addTask { try await watch.measureLag() }
                if let spoolSender {
                    group.addTask { try await cancelWhenGracefulShutdown { await spoolSender.run() } }
                }
                if let (documents, consumer) = receiver {
                    group.addTask { try await documents.run(consumer: consumer) }
                }
                group.addTask {
                    // Statuses and HTTP documents a broker failure left queued.
                    try await cancelWhenGracefulShutdown {
                        while !Task.isCancelled {
                            try? await outbox.publishLeftovers()
                            try await Task.sleep(for: .seconds(15))
                        }
                    }
                }
                if let listen = configuration.apiListen {
                    var api = AgentAPI(
                        setup: setup, store: store, outbox: configuration.send == nil ? nil : outbox,
                        statuses: configuration.receive == nil ? nil : statuses, redelivery: redelivery,
                        status: status, health: configuration.health, logger: logger)
                    api.authentication = APIAuthentication(clients: configuration.apiClients)
                    if let sdk = configuration.sdk {
                        api.sdk = SDKAPI(
                            configuration: sdk, store: store, outbox: configuration.send == nil ? nil : outbox, directory: setup.directory,
                            agency: setup.code, logger: self.logger)
                    }
                    let onListening = self.onListening
                    let logger = self.logger
                    let application = Application(
                        router: api.router(),
                        // The SDK's client leaves an idle keep-alive connection after each list
                        // call (vxp-sdk-protocol.md): closed after a minute without a request.
                        server: .http1(configuration: .init(idleTimeout: .seconds(60))),
                        configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
                        onServerRunning: { channel in
                            let address = "\(channel.localAddress?.ipAddress ?? listen.host):\(channel.localAddress?.port ?? listen.port)"
                            logger.notice("Agent API listening", metadata: ["docrelay.api": "\(address)"])
                            onListening(address)
                        },
                        logger: logger)
                    group.addTask { try await application.run() }
                }
            }
        } catch is CancellationError {
            logger.info("Agent cancelled")
        } catch let halt as AgentHalt {
            // Nothing more can be published: commit what was handled, do not wait on the
            // producer, and end with the error (exit 1) for a supervisor to restart the agent.
            if let (_, consumer) = receiver { await consumer.close() }
            await producer.close(timeout: .seconds(1))
            try? await httpClient.shutdown()
            throw halt
        }
        if let (_, consumer) = receiver { await consumer.close() }
        await producer.close()
        try? await httpClient.shutdown()
        logger.notice("Agent stopped")
    }
}
