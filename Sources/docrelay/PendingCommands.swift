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


struct AgentCommand: PendingCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "An agency's sending and receiving daemon (not built yet).")
    static let issue = 5
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}
