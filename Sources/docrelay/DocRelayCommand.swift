import ArgumentParser
import Foundation

/// `docrelay`: the one executable of DocRelay (see docs/contract.md, "Command line").
///
/// Exit codes: 0 success, 1 failure of the operation, 2 bad usage or configuration.
@main
struct DocRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docrelay",
        abstract: "Signed official documents between state agencies, over Kafka.",
        discussion: "Exit codes: 0 success, 1 failure of the operation, 2 bad usage or configuration.",
        version: VersionText.text,
        subcommands: [
            DemoCommand.self,
            BrokerCommand.self,
            RelayCommand.self,
            AgentCommand.self,
            SendCommand.self,
            SignCommand.self,
            VerifyCommand.self,
            DeadLetterCommand.self,
            TraceCommand.self,
            ProvisionCommand.self,
            PKICommand.self,
        ]
    )

    /// Runs the command and maps every failure to the contract's exit codes.
    static func main() async {
        StandardOutput.writeLineByLine()
        let code: Int32
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let failure as CommandFailure {
            printError("docrelay: \(failure.message)")
            code = failure.exitCode
        } catch {
            let parserCode = exitCode(for: error)
            let message = fullMessage(for: error)
            if parserCode == .success {
                if !message.isEmpty { print(message) }
                code = 0
            } else if let exit = error as? ExitCode {
                code = exit.rawValue
            } else if parserCode == .validationFailure {
                printError(message)
                code = 2
            } else {
                printError("docrelay: \(message.isEmpty ? "\(error)" : message)")
                code = 1
            }
        }
        Foundation.exit(code)
    }
}

/// A failure with its exit code: 2 for usage and configuration, 1 for the operation itself.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32

    /// Bad usage or configuration; the message names the file or option, the key and what was expected.
    static func configuration(_ message: String) -> CommandFailure {
        CommandFailure(message: message, exitCode: 2)
    }

    /// The operation was attempted and failed.
    static func operation(_ message: String) -> CommandFailure {
        CommandFailure(message: message, exitCode: 1)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
