import Foundation

/// Whole files read into memory (certificates, keys, CRLs are small).
enum FileBytes {
    static func read(_ path: String) throws(SigningError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SigningError(.io, "cannot read \(path)")
        }
        return [UInt8](data)
    }
}
