import DocRelayCore
import Foundation

/// The agency's spool folder: complete documents are moved into `outbox/` (never written there
/// in place); a document goes to `sent/` once the broker acknowledged it, or to `rejected/` with
/// a `<name>.reason.txt` beside it. Non-edXML documents need a sidecar `<name>.meta.json`, moved
/// in before the document: `{"to": ["000.00.00.G22"], "id": ..., "kind": ..., "ref": ...,
/// "contentType": ...}`, or the `dr-*` headers of a record signed elsewhere.
struct SpoolFolder: Sendable {
    let root: String
    var outbox: String { (root as NSString).appendingPathComponent("outbox") }
    var sent: String { (root as NSString).appendingPathComponent("sent") }
    var rejected: String { (root as NSString).appendingPathComponent("rejected") }

    static let sidecarSuffix = ".meta.json"

    func createFolders() throws(FileError) {
        for folder in [outbox, sent, rejected] { try DurableFiles.createFolder(folder) }
    }

    /// Documents in `outbox/`, oldest name first: regular files, not hidden, not temporary, not sidecars.
    func documents() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        return names.filter { name in
            !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part") && !name.hasSuffix(Self.sidecarSuffix)
                && isRegularFile((outbox as NSString).appendingPathComponent(name))
        }.sorted()
    }

    func path(of name: String) -> String { (outbox as NSString).appendingPathComponent(name) }
    func sidecarPath(of name: String) -> String { path(of: name) + Self.sidecarSuffix }

    /// The file's size in bytes.
    func size(of name: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path(of: name)))?[.size] as? NSNumber)?.intValue
    }

    /// Seconds since the file was last modified.
    func age(of name: String) -> TimeInterval {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path(of: name)))?[.modificationDate] as? Date
        return modified.map { Date().timeIntervalSince($0) } ?? 0
    }

    /// What the sidecar says, or nil without one. Throws for a sidecar that cannot be read.
    func metadata(of name: String) throws(SubmissionError) -> DocumentSubmission.Metadata? {
        let path = sidecarPath(of: name)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let sidecar = name + Self.sidecarSuffix
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SubmissionError("malformed", field: sidecar, "a JSON object: {\"to\": [codes], \"id\", \"kind\", \"ref\", \"contentType\"}, or dr-* headers")
        }
        if object.keys.contains(where: { $0.hasPrefix("dr-") }) {
            var headers: [(name: String, value: [UInt8]?)] = []
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let text = value as? String else {
                    throw SubmissionError("malformed", field: "\(sidecar): \(key)", "a string, as `docrelay sign` writes headers")
                }
                headers.append((key, Array(text.utf8)))
            }
            return .signed(headers)
        }
        let known: Set<String> = ["to", "id", "kind", "ref", "contentType"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw SubmissionError("malformed", field: "\(sidecar): \(unknown)", "one of the keys to, id, kind, ref, contentType")
        }
        func string(_ key: String) throws(SubmissionError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String else { throw SubmissionError("malformed", field: "\(sidecar): \(key)", "a string") }
            return text
        }
        var to: [String]?
        if let value = object["to"] {
            if let list = value as? [String] {
                to = list
            } else if let text = value as? String {
                to = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            } else {
                throw SubmissionError("malformed", field: "\(sidecar): to", "a list of agency codes")
            }
            if let bad = to?.first(where: { (try? AgencyCode(parsing: $0)) == nil }) {
                throw SubmissionError("malformed", field: "\(sidecar): to", "agency codes (AAA.BB.CC.Xnn or declared identifiers), not '\(bad)'")
            }
        }
        var kind: DocumentKind?
        if let text = try string("kind") {
            guard let parsed = DocumentKind(rawValue: text), parsed != .ack else {
                throw SubmissionError("malformed", field: "\(sidecar): kind", "edoc or status, not '\(text)'")
            }
            kind = parsed
        }
        return .unsigned(id: try string("id"), kind: kind, to: to, ref: try string("ref"), contentType: try string("contentType"))
    }

    /// Moves a document (and its sidecar) to `sent/`; returns its name there.
    @discardableResult
    func moveToSent(_ name: String) throws(FileError) -> String {
        try move(name, to: sent)
    }

    /// Moves a document (and its sidecar) to `rejected/`, with a reason file beside it.
    func reject(_ name: String, because error: SubmissionError) throws(FileError) {
        let moved = try move(name, to: rejected)
        let reason = """
            file: \(name)
            class: \(error.errorClass)
            \(error.field.map { "field: \($0)\n" } ?? "")reason: \(error.message)
            at: \(RFC3339.format(Date()))

            """
        try DurableFiles.write(Array(reason.utf8), to: (rejected as NSString).appendingPathComponent(moved + ".reason.txt"))
    }

    private func move(_ name: String, to folder: String) throws(FileError) -> String {
        let target = DurableFiles.freeName(name, in: folder)
        if FileManager.default.fileExists(atPath: sidecarPath(of: name)) {
            try DurableFiles.move(sidecarPath(of: name), to: (folder as NSString).appendingPathComponent(target + Self.sidecarSuffix))
        }
        try DurableFiles.move(path(of: name), to: (folder as NSString).appendingPathComponent(target))
        return target
    }

    private func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
