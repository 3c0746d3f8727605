import Logging

/// The benchmark's logger: errors only, to standard error, so librdkafka's chatter (a broker
/// connection coming and going) stays out of the figures' output.
enum BenchLogging {
    static func makeLogger() -> Logger {
        var logger = Logger(label: "docrelay.bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }
}
