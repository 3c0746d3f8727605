// Only the C library here: Foundation re-exports it without `@preconcurrency`, and Swift 6
// then refuses any mention of the global `stdout`.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The process's standard output, as `print` writes it.
enum StandardOutput {
    /// Makes stdio write each line at once even into a file or a pipe, where it would otherwise
    /// hold whole blocks until exit: `docrelay broker ... > log &` shows its address line as
    /// soon as it listens, a daemon its start-up, the demo each step. Call before any output.
    static func writeLineByLine() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
