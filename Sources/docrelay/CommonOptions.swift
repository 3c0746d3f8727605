import ArgumentParser
import DocRelayKafka
import Logging

/// How a command reaches Kafka: the same settings type the relay's configuration file fills.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"), help: "Kafka bootstrap servers, host:port[,host:port...].")
    var bootstrapServers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, name=value (TLS, SASL, tuning). Repeatable.", valueName: "name=value"))
    var properties: [String] = []

    @Option(help: "Seconds to wait for the cluster at start before giving up.")
    var connectTimeout: Double = 10

    /// The connection settings, or a usage error naming the malformed option.
    func settings(bootstrap: String) throws -> KafkaSettings {
        var settings = KafkaSettings(bootstrap: bootstrap)
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw CommandFailure.configuration(
                    "option -X \(property): expected name=value (e.g. -X security.protocol=SSL)")
            }
            settings.properties[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        guard connectTimeout > 0 else {
            throw CommandFailure.configuration("option --connect-timeout: expected a positive number of seconds")
        }
        settings.connectTimeout = .milliseconds(Int(connectTimeout * 1000))
        return settings
    }
}

/// Logging to standard error, at a chosen level.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    /// Bootstraps swift-log once for the process and returns the command's logger.
    func makeLogger(label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CommandFailure.configuration(
                "option --log-level \(logLevel): expected one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

extension KafkaError {
    /// Errors raised while starting: a refused property or an unreachable cluster is a
    /// configuration problem (exit 2); anything else failed the operation (exit 1).
    var startupFailure: CommandFailure {
        if code == .invalidArgument {
            let subject = property.map { "librdkafka property '\($0)': " } ?? ""
            return .configuration("\(subject)\(message)")
        }
        if isRetriable {
            return .configuration("\(message) (check --bootstrap-servers and the connection properties)")
        }
        return .operation(description)
    }
}
