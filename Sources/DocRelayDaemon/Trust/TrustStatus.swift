public import DocRelaySigning
public import Foundation
import DocRelayCore

/// What a daemon says of its trust at one moment (`TrustSource.status(at:)`): the CRLs in force
/// and their states, when the trust was loaded, and the last reload's failure, if the trust in
/// force is older than the files. For `/healthz` (warnings and the `revocation` detail), the
/// log and the metrics.
public struct TrustStatus: Sendable {
    /// One CRL in force.
    public struct CRL: Sendable, Hashable {
        /// Its issuer, RFC 2253.
        public var issuer: String
        /// The file it was read from (nil for a store made in code).
        public var file: String?
        public var thisUpdate: Date
        public var nextUpdate: Date?
        /// At the status's time.
        public var state: CertificateRevocationList.State
    }

    /// A reload that failed: the trust in force is the one loaded before.
    public struct Failure: Sendable, Hashable {
        /// The `ConfigurationError`, naming the configuration file, key and PEM file.
        public var reason: String
        public var at: Date
    }

    public var crls: [CRL]
    public var loadedAt: Date
    public var reloadFailure: Failure?

    /// Whether chains are checked against CRLs (`trust.crls` given).
    public var checksRevocation: Bool { !crls.isEmpty }

    /// The earliest nextUpdate of the CRLs in force, if any has one: when the first newer CRL is
    /// due (past: one is overdue).
    public var earliestNextUpdate: Date? {
        crls.compactMap(\.nextUpdate).min()
    }

    /// What needs a person (`/healthz` degraded, one sentence each): each CRL past its
    /// nextUpdate, and a reload that failed.
    public var warnings: [String] {
        var warnings: [String] = []
        for crl in crls where crl.state == .expired {
            warnings.append(
                "the CRL of \(crl.issuer)\(crl.file.map { " (\($0))" } ?? "") expired at "
                    + "\(crl.nextUpdate.map { RFC3339.format($0) } ?? "?") (nextUpdate): its revocations still apply; "
                    + "put a newer one in trust.crls and reload (SIGHUP)")
        }
        if let failure = reloadFailure {
            warnings.append(
                "trust reload failed at \(RFC3339.format(failure.at)): \(failure.reason); "
                    + "the trust loaded at \(RFC3339.format(loadedAt)) stays in force")
        }
        return warnings
    }

    /// The `revocation` detail of `/healthz`: `not checked: trust.crls is empty`, or how many
    /// CRLs are in force and when the first newer one is due.
    public var revocation: String {
        guard checksRevocation else { return Self.notChecked }
        let due = earliestNextUpdate.map { "; the earliest nextUpdate \(RFC3339.format($0))" } ?? ""
        return "checked against \(crls.count) CRL\(crls.count == 1 ? "" : "s")\(due)"
    }

    /// The start-up warning, and the `revocation` detail, without CRLs.
    public static let notChecked = "not checked: trust.crls is empty"
}
