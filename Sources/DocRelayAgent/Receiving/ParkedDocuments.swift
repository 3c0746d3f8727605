import DocRelayCore
import Foundation

/// Documents the agent could not deliver, kept in its state folder with a reason file, never
/// dropped: `refused/` (they failed the end-to-end check) and `undelivered/` (the webhook never
/// accepted them; `POST /v1/documents/<id>/redeliver` tries again).
struct ParkedDocuments: Sendable {
    let root: String

    enum Folder: String, Sendable {
        case refused, undelivered
    }

    /// Every folder a document may be parked in.
    var folders: [String] { [Folder.refused, .undelivered].map { (root as NSString).appendingPathComponent($0.rawValue) } }

    /// The folder and the document's path in it, with its metadata and `<name>.reason.txt`
    /// written: what either `park` does before the document itself.
    private func prepare(
        id: String, contentType: String, metadata: [UInt8], reason: String, folder: Folder
    ) throws(FileError) -> (directory: String, path: String) {
        let directory = (root as NSString).appendingPathComponent(folder.rawValue)
        try DurableFiles.createFolder(directory)
        let path = (directory as NSString).appendingPathComponent(FileNames.safe(id) + FileNames.fileExtension(contentType: contentType))
        try DurableFiles.write(metadata, to: path + ".meta")
        try DurableFiles.write(Array("id: \(id)\nreason: \(reason)\nat: \(RFC3339.format(Date()))\n".utf8), to: path + ".reason.txt")
        return (directory, path)
    }

    /// Writes the document, its metadata and `<name>.reason.txt`; returns the document's path.
    func park(
        _ value: [UInt8], id: String, contentType: String, metadata: [UInt8], reason: String, folder: Folder
    ) throws(FileError) -> String {
        let (_, path) = try prepare(id: id, contentType: contentType, metadata: metadata, reason: reason, folder: folder)
        try DurableFiles.write(value, to: path)
        return path
    }

    /// Like `park`, for a document assembled in a file (received in segments): copied in
    /// pieces, the file left where it is.
    func park(
        file: String, id: String, contentType: String, metadata: [UInt8], reason: String, folder: Folder
    ) throws(FileError) -> String {
        let (directory, path) = try prepare(id: id, contentType: contentType, metadata: metadata, reason: reason, folder: folder)
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        try DurableFiles.copy(file, to: temporary)
        try DurableFiles.place(temporary, at: path)
        return path
    }
}
