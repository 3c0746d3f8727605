import Foundation

/// A yes-or-no question asked on the operator's terminal before a command changes much at once.
enum TerminalConfirmation {
    /// Asks `question` on standard error and reads the answer from standard input: `true` for
    /// `y` or `yes`, `false` for anything else or end of input; `nil` when standard input is not
    /// a terminal (a script must say `--yes` instead).
    static func ask(_ question: String) -> Bool? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
