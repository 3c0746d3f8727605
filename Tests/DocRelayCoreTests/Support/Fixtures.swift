import Foundation

/// The edXML fixtures copied into the test bundle (from `shared/fixtures/edxml/`).
enum Fixtures {
    static let edocToThree = "edoc-G22-to-three-agencies"
    static let edocRecall = "edoc-recall"
    static let status01 = "status-01-received"
    static let status05 = "status-05-processing"
    static let all = [edocToThree, edocRecall, status01, status05]

    /// edXML as real software wrote it that DocRelay cannot read, each with its own cause (issue 12,
    /// point 4), and one it reads though it starts with a byte order mark and ends lines with CRLF.
    /// Each is an edoc from 000.00.00.G22 to 000.00.00.G01.
    enum Unreadable {
        /// `1212<?xml ...`, as committed in one public repository.
        static let contentBeforeDeclaration = "unreadable-content-before-declaration"
        /// `encoding="utf-16"` over UTF-8 bytes, CRLF, as .NET's XmlWriter over a StringBuilder writes it.
        static let utf16DeclaredOverUTF8 = "unreadable-utf16-declared-over-utf8"
        /// Real UTF-16, with its byte order mark.
        static let utf16LE = "unreadable-utf16le"
        static let utf16BE = "unreadable-utf16be"
    }
    /// A UTF-8 byte order mark, then CRLF line ends: read as usual.
    static let bomCRLF = "readable-bom-crlf"

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
