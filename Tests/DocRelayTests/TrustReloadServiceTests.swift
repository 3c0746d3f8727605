import DocRelay
import DocRelayCore
import DocRelayDaemon
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import InMemoryLogging
import Logging
import Metrics
import MetricsTestKit
import Synchronization
import Testing

/// The reports `TrustReloadService` gave, kept for the test.
private final class Reports: Sendable {
    private let reports = Mutex<[TrustReloadService.Report]>([])

    func add(_ report: TrustReloadService.Report) {
        reports.withLock { $0.append(report) }
    }

    var all: [TrustReloadService.Report] { reports.withLock { $0 } }
}

@Suite("Trust reloads on SIGHUP and on a schedule, says when revocation is not checked, and is measured", .serialized)
struct TrustReloadServiceTests {
    /// Waits, sending SIGHUP each time if `signalling`, until `condition` holds (at most 10 s).
    private func until(signalling: Bool, _ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if signalling { kill(getpid(), SIGHUP) }
            try await Task.sleep(for: .milliseconds(100))
            if condition() { return true }
        }
        return false
    }

    @Test("SIGHUP: a new CRL file revokes a signer that verified; a broken one is refused, reported, and the old trust stays")
    func reloadOnSignal() async throws {
        let files = try TrustFiles()
        try files.writeCRL()
        let source = try TrustSource(files: files.files)
        let reports = Reports()
        // Never let a SIGHUP that arrives before the handler is in place end the test process.
        await SIGHUPForTests.shared.keep()
        let service = TrustReloadService(source: source, every: nil, logger: testLogger, report: reports.add)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        #expect(try await until(signalling: false) { !reports.all.isEmpty })
        #expect(reports.all.first?.outcome == nil)

        try files.writeCRL(revoking: [files.agency])
        #expect(try await until(signalling: true) { (try? files.refusal(of: files.agency, with: source.current)) != nil })
        #expect(try files.refusal(of: files.agency, with: source.current)?.reason == .certificateRevoked)
        #expect(reports.all.contains { $0.outcome == .reloaded && $0.trigger == "SIGHUP" })

        let loaded = source.current
        try Data("not a CRL".utf8).write(to: URL(fileURLWithPath: files.crl))
        #expect(try await until(signalling: true) { reports.all.last?.outcome == .refused })
        #expect(source.current === loaded)
        let refused = try #require(reports.all.last)
        #expect(refused.status.reloadFailure?.reason.contains(files.crl) == true, "\(String(describing: refused.status.reloadFailure))")
        #expect(refused.status.warnings.contains { $0.hasPrefix("trust reload failed") })
    }

    @Test("Every reload-every, without a signal, the CRL file is read again")
    func reloadOnSchedule() async throws {
        let files = try TrustFiles()
        try files.writeCRL()
        let source = try TrustSource(files: files.files)
        let reports = Reports()
        await SIGHUPForTests.shared.keep()
        let service = TrustReloadService(source: source, every: .milliseconds(50), logger: testLogger, report: reports.add)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try files.writeCRL(revoking: [files.other])
        // (Another suite's SIGHUP may reload too: wait for the schedule's own reload.)
        #expect(try await until(signalling: false) {
            (try? files.refusal(of: files.other, with: source.current)) != nil
                && reports.all.contains { $0.outcome == .reloaded && $0.trigger == "schedule" }
        })
    }

    @Test("At start: a warning when trust.crls is empty, and one per CRL past its nextUpdate")
    func startWarnings() async throws {
        let files = try TrustFiles()
        for crls in [[], [files.crl]] {
            if !crls.isEmpty { try files.writeCRL(at: Date().addingTimeInterval(-10 * 86_400), validFor: 86_400) }
            let source = try TrustSource(files: TrustSource.Files(
                anchors: [files.anchors], crls: crls, configurationPath: files.configurationPath))
            let handler = InMemoryLogHandler()
            let logger = Logger(label: "trust-test", factory: { _ in handler })
            let reports = Reports()
            await SIGHUPForTests.shared.keep()
            let running = Task { try await TrustReloadService(source: source, every: nil, logger: logger, report: reports.add).run() }
            #expect(try await until(signalling: false) { !reports.all.isEmpty })
            running.cancel()
            let warnings = handler.entries.filter { $0.level == .warning }.map(\.message.description)
            // (Another suite's SIGHUP may reload and warn again.)
            let expected = crls.isEmpty
                ? "trust.crls is empty: revocation is not checked"
                : "A CRL is past its nextUpdate: its revocations still apply; load a newer one"
            #expect(!warnings.isEmpty && warnings.allSatisfy { $0 == expected }, "\(warnings)")
            if !crls.isEmpty {
                let entry = try #require(handler.entries.first { $0.level == .warning })
                #expect(entry.metadata[LogKey.crlIssuer] == "\(files.ca.subject)")
                #expect(entry.metadata[LogKey.crlFile] == "\(files.crl)")
            }
        }
    }

    @Test("Metrics: reloads by outcome from zero, reload failing, CRLs in force, the earliest nextUpdate as a timestamp")
    func metrics() throws {
        let backend = TestMetrics()
        let metrics = RelayMetrics(factory: backend)
        for outcome in ["reloaded", "refused"] {
            #expect(try backend.expectCounter("docrelay_trust_reloads_total", [("outcome", outcome)]).totalValue == 0)
        }
        let files = try TrustFiles()
        try files.writeCRL(at: Date().addingTimeInterval(-3600), validFor: 86_400)
        let source = try TrustSource(files: files.files)
        let status = source.status()
        metrics.trustReported(TrustReloadService.Report(outcome: nil, trigger: nil, status: status))
        #expect(try backend.expectGauge("docrelay_trust_crls").lastValue == 1)
        #expect(try backend.expectGauge("docrelay_trust_reload_failing").lastValue == 0)
        let nextUpdate = try #require(status.earliestNextUpdate)
        #expect(try backend.expectGauge("docrelay_crl_next_update_timestamp_seconds").lastValue == nextUpdate.timeIntervalSince1970)

        try Data("not a CRL".utf8).write(to: URL(fileURLWithPath: files.crl))
        #expect(throws: ConfigurationError.self) { try source.reload() }
        metrics.trustReported(TrustReloadService.Report(outcome: .refused, trigger: "SIGHUP", status: source.status()))
        #expect(try backend.expectCounter("docrelay_trust_reloads_total", [("outcome", "refused")]).totalValue == 1)
        #expect(try backend.expectGauge("docrelay_trust_reload_failing").lastValue == 1)

        let none = try TrustSource(files: TrustSource.Files(anchors: [files.anchors], configurationPath: files.configurationPath))
        metrics.trustReported(TrustReloadService.Report(outcome: .reloaded, trigger: "schedule", status: none.status()))
        #expect(try backend.expectCounter("docrelay_trust_reloads_total", [("outcome", "reloaded")]).totalValue == 1)
        #expect(try backend.expectGauge("docrelay_trust_crls").lastValue == 0)
        #expect(try backend.expectGauge("docrelay_crl_next_update_timestamp_seconds").lastValue == 0)
        #expect(try backend.expectGauge("docrelay_trust_reload_failing").lastValue == 0)
    }
}
