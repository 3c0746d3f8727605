/// Where each hub and agency was declared in the directory file, so that an error found after
/// reading (an unknown parent, a cycle) can still name the line and the key.
struct DirectorySource {
    /// One declared entry: its line, and the line of each key given (`kafka.bootstrap` for nested).
    struct Entry {
        var line: Int?
        var keyLines: [String: Int] = [:]
    }

    var path: String
    var hubs: [Entry]
    var agencies: [Entry]
    /// The line of the top-level `hubs` key.
    var hubsLine: Int?

    static let inMemoryPath = "(in memory)"

    static func inMemory(hubs: Int, agencies: Int) -> DirectorySource {
        DirectorySource(path: inMemoryPath, hubs: Array(repeating: Entry(), count: hubs),
                        agencies: Array(repeating: Entry(), count: agencies))
    }

    func hubError(
        _ index: Int, id: String?, key: String?, _ expected: String,
        file: String = #fileID, line: Int = #line
    ) -> ConfigurationError {
        let entry = hubs.indices.contains(index) ? hubs[index] : Entry()
        return ConfigurationError(
            path: path, line: key.flatMap { entry.keyLines[$0] } ?? entry.line,
            entry: Self.label("hubs", index, id), key: key, expected: expected,
            sourceFile: file, sourceLine: line)
    }

    func agencyError(
        _ index: Int, code: String?, key: String?, _ expected: String,
        file: String = #fileID, line: Int = #line
    ) -> ConfigurationError {
        let entry = agencies.indices.contains(index) ? agencies[index] : Entry()
        return ConfigurationError(
            path: path, line: key.flatMap { entry.keyLines[$0] } ?? entry.line,
            entry: Self.label("agencies", index, code), key: key, expected: expected,
            sourceFile: file, sourceLine: line)
    }

    /// `hubs[1] (h58)`, or `hubs[1]` before the id is known.
    static func label(_ list: String, _ index: Int, _ name: String?) -> String {
        guard let name, !name.isEmpty else { return "\(list)[\(index)]" }
        return "\(list)[\(index)] (\(name.count > 64 ? String(name.prefix(64)) + "…" : name))"
    }
}

/// An agency as read, before its home hub is resolved (a QCVN agency may leave it to its parent).
struct AgencyDraft {
    var code: AgencyCode
    var name: String
    var hubID: String?
    var parentOverride: AgencyCode?
    var certificateFingerprints: [String]
    var certificateSubjects: [SubjectBinding]
    var formerCodes: [String] = []
    var formerNames: [String] = []
}
