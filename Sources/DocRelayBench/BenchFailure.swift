/// A benchmark that could not run or whose outcome is wrong; the process exits non-zero.
struct BenchFailure: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
