import ArgumentParser
import Logging

/// What the daemons (`relay`, `agent`) take beside their configuration file: `--check-config`
/// and `--log-level` (default info, where the other commands default to warning).
struct DaemonOptions: ParsableArguments {
    @Flag(help: "Check the configuration (and the directory, certificates, Kafka properties it names), then exit.")
    var checkConfig = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// The resolved configuration and the daemon's logger, or nil once `--check-config` has
    /// printed `summary`. A configuration that does not resolve is exit 2, its file and key named.
    func start<Setup>(
        label: String, resolve: () throws -> Setup, summary: (Setup) -> String
    ) throws -> (setup: Setup, logger: Logger)? {
        let setup: Setup
        do {
            setup = try resolve()
        } catch {
            throw CommandFailure.configuration("\(error)")
        }
        if checkConfig {
            print(summary(setup))
            return nil
        }
        return (setup, try LoggingOptions.parse(["--log-level", logLevel]).makeLogger(label: label))
    }
}
