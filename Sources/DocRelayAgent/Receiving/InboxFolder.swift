import DocRelayDocuments
import Foundation

/// The folder received documents are delivered into: `<id><ext>` and `<id><ext>.meta.json`
/// beside it, each written whole (temporary file, fsync, rename). The sidecar is written first,
/// so a reader that sees the document finds its metadata. Names come from the id, so a document
/// delivered again after a crash replaces itself with the same bytes: never a second file. When
/// another sender's document already has the id (ids are the senders' own), the name adds
/// `.from-<sender code>`: `<id>.from-<code><ext>`.
struct InboxFolder: Sendable {
    let root: String

    /// Writes the document and its sidecar; returns the document's path. `sender`: the sender's
    /// code, to put in the name when another sender's document has this id.
    func deliver(
        _ value: [UInt8], id: String, sender: String? = nil, contentType: String, metadata: [UInt8]
    ) throws(FileError) -> String {
        try DurableFiles.createFolder(root)
        let stem = FileNames.safe(id) + (sender.map { ".from-" + FileNames.safe($0) } ?? "")
        let name = stem + FileNames.fileExtension(contentType: contentType)
        let path = (root as NSString).appendingPathComponent(name)
        try DurableFiles.write(metadata, to: path + ".meta.json")
        try DurableFiles.write(value, to: path)
        return path
    }

    /// Like `deliver`, for a document assembled in a file (received in segments): the file is
    /// moved into place, byte for byte, never read into memory.
    func deliver(
        file: String, id: String, sender: String? = nil, contentType: String, metadata: [UInt8]
    ) throws(FileError) -> String {
        let path = self.path(id: id, sender: sender, contentType: contentType)
        try DurableFiles.createFolder(root)
        try DurableFiles.write(metadata, to: path + ".meta.json")
        try DurableFiles.place(file, at: path)
        return path
    }

    private func path(id: String, sender: String?, contentType: String) -> String {
        let stem = FileNames.safe(id) + (sender.map { ".from-" + FileNames.safe($0) } ?? "")
        return (root as NSString).appendingPathComponent(stem + FileNames.fileExtension(contentType: contentType))
    }
}

/// File names made from document ids, which may hold any character but are at most 256 bytes.
enum FileNames {
    /// `id` when it is made of letters, digits, `.`, `_` and `-` (and not hidden), else those
    /// characters kept and the rest replaced, with a digest of the id so two ids never meet.
    static func safe(_ id: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let kept = String(id.map { allowed.contains($0) ? $0 : "_" }.prefix(120))
        if kept == id, !id.hasPrefix("."), !id.isEmpty { return id }
        let digest = SHA256Hex.of(Array(id.utf8)).prefix(16)
        let stem = kept.hasPrefix(".") ? "_" + kept.dropFirst() : kept
        return "\(stem)-\(digest)"
    }

    static func fileExtension(contentType: String) -> String {
        let type = contentType.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch type {
        case "application/edxml+xml", "application/xml", "text/xml": return ".xml"
        case "application/pdf": return ".pdf"
        case "application/json": return ".json"
        case "text/plain": return ".txt"
        case "application/zip": return ".zip"
        case "application/msword": return ".doc"
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": return ".docx"
        default: return ".bin"
        }
    }
}
