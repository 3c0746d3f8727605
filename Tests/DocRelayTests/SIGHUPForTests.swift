import UnixSignals

/// Keeps a SIGHUP handler in place for the rest of the test process, so that a SIGHUP a test
/// sends to itself never ends the process, whichever reload service is running.
///
/// Tests used `signal(SIGHUP, SIG_IGN)` for that, but on Linux libdispatch installs its own
/// handler once, when the first signal source for SIGHUP registers: `SIG_IGN` set while another
/// suite's service is registered replaces that handler, and every SIGHUP after it is discarded
/// for every service of the process.
actor SIGHUPForTests {
    static let shared = SIGHUPForTests()
    private var kept: UnixSignalsSequence?

    /// Returns once a SIGHUP source is registered (and keeps it).
    func keep() async {
        if kept == nil { kept = await UnixSignalsSequence(trapping: .sighup) }
    }
}
