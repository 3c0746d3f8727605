import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Large documents (contract, "Large documents"): files assembled from segments are appended
/// to, then put in place whole, never read into memory at once.
extension DurableFiles {
    /// Puts the complete file `source` at `path` durably: fsynced, then renamed into place (the
    /// reader sees no file or the whole one). From another file system, it is copied in 1 MiB
    /// pieces to a temporary file beside `path`, fsynced and renamed, and `source` removed.
    static func place(_ source: String, at path: String) throws(FileError) {
        try sync(source)
        let folder = (path as NSString).deletingLastPathComponent
        if rename(source, path) == 0 {
            try DurableFiles.syncFolder(folder)
            try DurableFiles.syncFolder((source as NSString).deletingLastPathComponent)
            return
        }
        guard errno == EXDEV else { throw FileError(path: source, operation: "move to \(path)", errno: errno) }
        let name = (path as NSString).lastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).tmp")
        try copy(source, to: temporary)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: path, operation: "rename into place", errno: code)
        }
        try DurableFiles.syncFolder(folder)
        unlink(source)
    }

    /// Copies `source` to `destination` (created, fsynced), in 1 MiB pieces.
    static func copy(_ source: String, to destination: String) throws(FileError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileError(path: source, operation: "open", errno: errno) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw FileError(path: destination, operation: "create", errno: errno) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: source, operation: "read", errno: errno)
            }
            if count == 0 { break }
            try append(Array(buffer[0..<count]), descriptor: output, path: destination)
        }
        guard fsync(output) == 0 else { throw FileError(path: destination, operation: "fsync", errno: errno) }
    }

    /// Writes all of `bytes` at the descriptor's position.
    static func append(_ bytes: [UInt8], descriptor: Int32, path: String) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", errno: errno)
            }
            written += result
        }
    }

    /// fsync of one file.
    static func sync(_ path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileError(path: path, operation: "fsync", errno: errno) }
    }
}
