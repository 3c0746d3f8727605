public import DocRelayCore
import DocRelaySigning
import Foundation
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reads the trust files again on SIGHUP and every `every` (`trust.reload-every`), for the relay
/// and the agent alike: a CA publishes a new CRL on its own schedule (often daily), and a hub
/// must not wait for an operator to take it. A failed reload keeps the trust in force and is
/// logged with its reason (naming the file); `/healthz` is degraded until a reload succeeds
/// (`TrustSource.status(at:)`).
///
/// At start it says what the trust lacks: no CRL configured ("trust.crls is empty: revocation is
/// not checked"), or a CRL past its nextUpdate. `report` is called then, and after every reload
/// with its outcome (the relay's metrics).
public struct TrustReloadService: Service {
    /// What `report` is told: at start, once SIGHUP is trapped (no outcome, no trigger), then
    /// after each reload.
    public struct Report: Sendable {
        /// What the reload did; nil at start.
        public var outcome: Outcome?
        /// What made it: `SIGHUP` or `schedule`; nil at start.
        public var trigger: String?
        /// The trust's status after it.
        public var status: TrustStatus

        public init(outcome: Outcome?, trigger: String?, status: TrustStatus) {
            self.outcome = outcome
            self.trigger = trigger
            self.status = status
        }
    }

    /// What a reload did.
    public struct Outcome: Hashable, Sendable, CustomStringConvertible {
        /// `reloaded` or `refused`: the `outcome` label of `docrelay_trust_reloads_total`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The files were read and their trust is in force.
        public static let reloaded = Outcome("reloaded")
        /// The files were refused; the previous trust stays in force.
        public static let refused = Outcome("refused")
        public static let all: [Outcome] = [.reloaded, .refused]

        public var description: String { name }
    }

    let source: TrustSource
    let every: Duration?
    let logger: Logger
    let report: @Sendable (Report) -> Void

    /// `every`: nil reloads on SIGHUP only.
    public init(
        source: TrustSource, every: Duration?, logger: Logger, report: @escaping @Sendable (Report) -> Void = { _ in }
    ) {
        self.source = source
        self.every = every
        self.logger = logger
        self.report = report
    }

    public func run() async throws {
        let status = source.status()
        if !status.checksRevocation {
            logger.warning("trust.crls is empty: revocation is not checked")
        }
        warnExpired(status)
        let signals = await UnixSignalsSequence(trapping: .sighup)
        // After the handler is in place: from now on a SIGHUP reloads.
        report(Report(outcome: nil, trigger: nil, status: status))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() {
                    reload(trigger: "SIGHUP")
                }
            }
            if let every {
                group.addTask {
                    while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: every) })) != nil {
                        reload(trigger: "schedule")
                    }
                }
            }
        }
    }

    /// One reload: logged, reported.
    func reload(trigger: String) {
        let outcome: Outcome
        do {
            let store = try source.reload()
            outcome = .reloaded
            logger.info("Trust reloaded", metadata: [
                LogKey.trustTrigger: "\(trigger)", LogKey.trustCRLs: "\(store.crls.count)",
                LogKey.trustAnchors: "\(store.anchors.count)",
            ])
        } catch {
            outcome = .refused
            logger.error("Trust reload refused; the previous trust stays in force", metadata: [
                LogKey.trustTrigger: "\(trigger)", LogKey.error: "\(error)",
            ])
        }
        let status = source.status()
        warnExpired(status)
        report(Report(outcome: outcome, trigger: trigger, status: status))
    }

    private func warnExpired(_ status: TrustStatus) {
        for crl in status.crls where crl.state == .expired {
            logger.warning("A CRL is past its nextUpdate: its revocations still apply; load a newer one", metadata: [
                LogKey.crlIssuer: "\(crl.issuer)", LogKey.crlFile: "\(crl.file ?? "-")",
                LogKey.crlNextUpdate: "\(crl.nextUpdate.map { RFC3339.format($0) } ?? "-")",
            ])
        }
    }
}
