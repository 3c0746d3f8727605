import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File operations that survive a crash at any instant: a file appears whole or not at all
/// (temporary file, fsync, rename, fsync of the folder), and a move is a rename made durable.
enum DurableFiles {
    /// Writes `bytes` to `path`: readers see the old file or the complete new one, never part.
    static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(path: temporary, operation: "create", errno: errno) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw FileError(path: temporary, operation: "write", errno: code)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw FileError(path: temporary, operation: "fsync", errno: code)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: path, operation: "rename into place", errno: code)
        }
        try syncFolder(folder)
    }

    /// Removes what a crash inside `write` left in `folder`: temporaries named as `write` names
    /// them (`.<name>.<8 hex digits>.tmp`). No reader takes them, and the write they belonged to
    /// is done again (its record was not committed). A missing folder holds none. Returns the
    /// names removed.
    @discardableResult
    static func removeLeftoverTemporaries(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for name in names where isTemporary(name) {
            if unlink((folder as NSString).appendingPathComponent(name)) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    /// Whether `name` is one of `write`'s temporaries.
    static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(".tmp".count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let tag = parts.last, !parts.dropLast().joined(separator: ".").isEmpty else { return false }
        return tag.count == 8 && tag.allSatisfy(\.isHexDigit)
    }

    /// Moves `source` to `destination` (same file system) durably.
    static func move(_ source: String, to destination: String) throws(FileError) {
        guard rename(source, destination) == 0 else {
            throw FileError(path: source, operation: "move to \(destination)", errno: errno)
        }
        try syncFolder((destination as NSString).deletingLastPathComponent)
        try syncFolder((source as NSString).deletingLastPathComponent)
    }

    /// A free name in `folder` for `name`: itself, else `name` with `-2`, `-3`... before its extension.
    static func freeName(_ name: String, in folder: String) -> String {
        var candidate = name
        var number = 2
        while FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(candidate)) {
            let stem = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            candidate = ext.isEmpty ? "\(stem)-\(number)" : "\(stem)-\(number).\(ext)"
            number += 1
        }
        return candidate
    }

    static func createFolder(_ path: String) throws(FileError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: path, operation: "create the folder", errno: EIO, detail: error.localizedDescription)
        }
    }

    static func syncFolder(_ folder: String) throws(FileError) {
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: folder, operation: "open the folder", errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw FileError(path: folder, operation: "fsync the folder", errno: errno) }
    }
}

/// A file operation that failed: which file, doing what, and the system's reason.
struct FileError: Error, Sendable, CustomStringConvertible {
    let path: String
    let operation: String
    let message: String

    init(path: String, operation: String, errno code: Int32, detail: String? = nil) {
        self.path = path
        self.operation = operation
        self.message = detail ?? String(cString: strerror(code))
    }

    var description: String { "\(path): cannot \(operation): \(message)" }
}
