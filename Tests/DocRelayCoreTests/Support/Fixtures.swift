import Foundation

/// The edXML fixtures copied into the test bundle (from `shared/fixtures/edxml/`).
enum Fixtures {
    static let edocToThree = "edoc-G22-to-three-agencies"
    static let edocRecall = "edoc-recall"
    static let status01 = "status-01-received"
    static let status05 = "status-05-processing"
    static let all = [edocToThree, edocRecall, status01, status05]

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "fixture \(name).edxml is not in the test bundle" }
    }

    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "edxml", subdirectory: "Fixtures/edxml") else {
            throw Missing(name: name)
        }
        return url
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }
}

/// A scratch folder for one test, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-core-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
