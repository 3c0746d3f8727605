public import DocRelayDaemon
import Foundation
import Metrics

extension RelayMetrics {
    /// Publishes what `TrustReloadService` reports, at start (`outcome` nil) and after each
    /// reload; no label but the outcome, so a handful of series whatever the PKI:
    ///
    /// - `docrelay_trust_reloads_total{outcome}`: reloads by outcome, `reloaded` or `refused`
    ///   (both from zero at start);
    /// - `docrelay_trust_reload_failing`: 1 while the last reload was refused (the trust in
    ///   force is older than the files), else 0;
    /// - `docrelay_trust_crls`: the CRLs in force; 0: revocation is not checked;
    /// - `docrelay_crl_next_update_timestamp_seconds`: the earliest nextUpdate of the CRLs in
    ///   force, Unix seconds (0 without one). A timestamp rather than "seconds until", so that the
    ///   value needs no refresh between reloads: alert on
    ///   `docrelay_crl_next_update_timestamp_seconds - time() < 3600`, negative once overdue.
    public func trustReported(_ report: TrustReloadService.Report) {
        let status = report.status
        if let outcome = report.outcome {
            Counter(label: Name.trustReloads, dimensions: [(Label.outcome, outcome.name)], factory: factory).increment()
        }
        Gauge(label: Name.trustReloadFailing, factory: factory).record(status.reloadFailure == nil ? 0 : 1)
        Gauge(label: Name.trustCRLs, factory: factory).record(status.crls.count)
        Gauge(label: Name.crlNextUpdate, factory: factory).record(status.earliestNextUpdate?.timeIntervalSince1970 ?? 0)
    }
}
