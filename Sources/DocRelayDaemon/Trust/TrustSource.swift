public import DocRelayCore
public import DocRelaySigning
public import Foundation
import Synchronization

/// The trust in force (anchors, intermediates, CRLs), read from a configuration's `trust:`
/// files and swapped whole when they are read again: like `DirectoryStore`, a reader takes
/// `current` once per unit of work and keeps that store, so a reload never changes the trust
/// under a record in flight. A reload that fails keeps the store in force and is remembered,
/// with its reason, until one succeeds (`status(at:)`: `/healthz` degraded). Reloading on SIGHUP
/// and on a schedule is `TrustReloadService`'s.
///
/// Loading refuses (a `ConfigurationError` naming the configuration file, the key and the PEM
/// file) an unreadable file, and a CRL not yet valid now: its thisUpdate more than
/// `CertificateRevocationList.clockSkew` ahead of this host's clock (RFC 5280 §5.1.2.4), a wrong
/// clock here or at the CA. An expired CRL (past its nextUpdate, §5.1.2.5) is loaded and used,
/// since what it lists is still revoked, and reported.
public final class TrustSource: Sendable {
    /// The files a trust is read from, and the configuration file that names them.
    public struct Files: Sendable, Hashable {
        public var anchors: [String]
        public var intermediates: [String]
        public var crls: [String]
        /// The relay's hub.yaml or the agent's agency.yaml, named in errors.
        public var configurationPath: String

        public init(anchors: [String], intermediates: [String] = [], crls: [String] = [], configurationPath: String) {
            self.anchors = anchors
            self.intermediates = intermediates
            self.crls = crls
            self.configurationPath = configurationPath
        }
    }

    /// A store as loaded: when, and the file each of its CRLs came from.
    private struct Loaded: Sendable {
        var store: TrustStore
        var crlFiles: [ObjectIdentifier: String]
        var at: Date
    }

    private struct State: Sendable {
        var loaded: Loaded
        /// The last reload's failure, until a reload succeeds.
        var failure: TrustStatus.Failure?
    }

    public let files: Files
    private let state: Mutex<State>
    /// Held for a whole reload, so that two reloads cannot swap in an older read after a newer one.
    private let reloading = Mutex<Void>(())

    /// Reads `files`, judging the CRLs' periods at `now`.
    public init(files: Files, now: Date = Date()) throws(ConfigurationError) {
        self.files = files
        state = Mutex(State(loaded: try Self.load(files, now: now), failure: nil))
    }

    /// A source holding `store`, read again later from `files` (tools and tests).
    public init(_ store: TrustStore, files: Files, loadedAt: Date = Date()) {
        self.files = files
        state = Mutex(State(loaded: Loaded(store: store, crlFiles: [:], at: loadedAt), failure: nil))
    }

    /// The trust in force: a snapshot to keep for one unit of work.
    public var current: TrustStore {
        state.withLock { $0.loaded.store }
    }

    /// Reads the files again and puts the new trust in force, atomically; on failure keeps the
    /// old one, remembers why (until a reload succeeds) and throws. Returns the new store.
    @discardableResult
    public func reload(now: Date = Date()) throws(ConfigurationError) -> TrustStore {
        try reloading.withLock { _ throws(ConfigurationError) in
            do throws(ConfigurationError) {
                let fresh = try Self.load(files, now: now)
                state.withLock {
                    $0.loaded = fresh
                    $0.failure = nil
                }
                return fresh.store
            } catch {
                state.withLock { $0.failure = TrustStatus.Failure(reason: "\(error)", at: now) }
                throw error
            }
        }
    }

    /// What `/healthz`, the log and the metrics say of the trust at `now`.
    public func status(at now: Date = Date()) -> TrustStatus {
        let (loaded, failure) = state.withLock { ($0.loaded, $0.failure) }
        return TrustStatus(
            crls: loaded.store.crlStatuses(at: now).map { status in
                TrustStatus.CRL(
                    issuer: status.crl.issuer, file: loaded.crlFiles[ObjectIdentifier(status.crl)],
                    thisUpdate: status.crl.lastUpdate, nextUpdate: status.crl.nextUpdate, state: status.state)
            },
            loadedAt: loaded.at, reloadFailure: failure)
    }

    /// Reads `files` into a store; every failure names the configuration file, the key and the
    /// PEM file.
    private static func load(_ files: Files, now: Date) throws(ConfigurationError) -> Loaded {
        let path = files.configurationPath
        func certificates(_ list: [String], key: String) throws(ConfigurationError) -> [Certificate] {
            var found: [Certificate] = []
            for file in list {
                do {
                    found += try Certificate.load(pemFile: file)
                } catch {
                    throw ConfigurationError(path: path, key: key, expected: "PEM certificates in \(file): \(error.message)")
                }
            }
            return found
        }
        let anchors = try certificates(files.anchors, key: "trust.anchors")
        let intermediates = try certificates(files.intermediates, key: "trust.intermediates")
        var crls: [(crl: CertificateRevocationList, file: String)] = []
        for file in files.crls {
            do {
                crls += try CertificateRevocationList.load(pemFile: file).map { ($0, file) }
            } catch {
                throw ConfigurationError(path: path, key: "trust.crls", expected: "PEM CRLs in \(file): \(error.message)")
            }
        }
        for (crl, file) in crls where crl.state(at: now) == .notYetValid {
            throw ConfigurationError(
                path: path, key: "trust.crls",
                expected: "CRLs already issued, not the CRL of \(crl.issuer) in \(file): its thisUpdate \(RFC3339.format(crl.lastUpdate)) "
                    + "is after now (\(RFC3339.format(now))) by more than \(Int(CertificateRevocationList.clockSkew / 60)) min; "
                    + "check this host's clock, or the CRL")
        }
        let store: TrustStore
        do {
            store = try TrustStore(anchors: anchors, intermediates: intermediates, crls: crls.map(\.crl))
        } catch {
            throw ConfigurationError(path: path, key: "trust", expected: "a usable trust store: \(error.message)")
        }
        var crlFiles: [ObjectIdentifier: String] = [:]
        for (crl, file) in crls { crlFiles[ObjectIdentifier(crl)] = file }
        return Loaded(store: store, crlFiles: crlFiles, at: now)
    }
}
