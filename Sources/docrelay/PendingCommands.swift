import ArgumentParser

/// A command of the contract whose implementation belongs to a later issue. It says so and
/// exits 2, whatever its arguments.
protocol PendingCommand: ParsableCommand {
    static var issue: Int { get }
    var arguments: [String] { get }
}

extension PendingCommand {
    func run() throws {
        throw CommandFailure.configuration(
            "`docrelay \(Self.configuration.commandName ?? "")` is not built yet (issue #\(Self.issue)); see README.md for what works today")
    }
}

struct RelayCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay", abstract: "The relay daemon of one hub (not built yet).")
    static let issue = 4
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}

struct AgentCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "An agency's sending and receiving daemon (not built yet).")
    static let issue = 5
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}




struct DeadLetterCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect and replay dead letters: list, show, replay (not built yet).")
    static let issue = 4
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}

struct TraceCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "A document's journey (not built yet).")
    static let issue = 4
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}

struct ProvisionCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision", abstract: "Create the topics a directory implies, print ACLs (not built yet).")
    static let issue = 4
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}

