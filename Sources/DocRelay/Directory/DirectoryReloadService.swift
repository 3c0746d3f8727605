public import DocRelayCore
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Re-reads the directory on SIGHUP. A bad file is refused (logged with its reason) and the
/// previous directory stays; records in flight keep the snapshot they started with.
public struct DirectoryReloadService: Service {
    let store: DirectoryStore
    let logger: Logger

    public init(store: DirectoryStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try store.reload()
                let directory = store.current
                logger.info(
                    "Directory reloaded",
                    metadata: [
                        LogKey.hubs: "\(directory.hubs.count)", LogKey.agencies: "\(directory.agencies.count)",
                    ])
            } catch {
                logger.error(
                    "Directory reload refused; the previous directory stays in use",
                    metadata: [LogKey.error: "\(error)"])
            }
        }
    }
}
