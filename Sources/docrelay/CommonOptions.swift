import ArgumentParser
import DocRelayKafka
import Foundation
import Logging

/// How a command reaches Kafka: the same settings type the relay's configuration file fills.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"), help: "Kafka bootstrap servers, host:port[,host:port...].")
    var bootstrapServers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, name=value (TLS, SASL, tuning). Repeatable.", valueName: "name=value"))
    var properties: [String] = []

    @Option(
        name: .customShort("F"),
        help: ArgumentHelp("A file of librdkafka properties, name=value per line (as kcat -F). -X wins over it.", valueName: "file"))
    var propertiesFile: String?

    @Option(help: "Seconds to wait for the cluster at start before giving up.")
    var connectTimeout: Double = 10

    /// The connection settings, or a usage error naming the malformed option or file line.
    func settings(bootstrap: String) throws -> KafkaSettings {
        var settings = KafkaSettings(bootstrap: bootstrap)
        if let propertiesFile {
            let text: String
            do {
                text = try String(contentsOfFile: propertiesFile, encoding: .utf8)
            } catch {
                throw CommandFailure.configuration("option -F \(propertiesFile): cannot read the file: \(error.localizedDescription)")
            }
            do {
                settings.properties = try KafkaPropertiesFile.parse(text, path: propertiesFile)
            } catch {
                throw CommandFailure.configuration("\(error)")
            }
        }
        for property in properties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw CommandFailure.configuration(
                    "option -X \(property): expected name=value (e.g. -X security.protocol=SSL)")
            }
            settings.properties[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        do {
            try KafkaPropertiesFile.validate(settings.properties)
        } catch {
            let name = error.property ?? ""
            let fromOption = properties.contains { $0.hasPrefix(name + "=") }
            let source = fromOption || propertiesFile == nil ? "option -X \(name)" : "\(propertiesFile ?? ""): key '\(name)'"
            throw CommandFailure.configuration("\(source): \(error.message)")
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
