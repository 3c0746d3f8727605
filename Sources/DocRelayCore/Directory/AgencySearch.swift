import Foundation

/// The address book (issue 14, "thống nhất tên gọi các cơ quan"): the directory's agencies
/// searched by code or by name, insensitive to case and to Vietnamese diacritics, so that a
/// clerk typing `tien giang` finds "UBND tỉnh Tiền Giang". Built once from one directory
/// snapshot and searched in memory.
public struct AgencySearch: Sendable {
    /// One agency with the folded texts it is found by.
    struct Entry: Sendable {
        let agency: Agency
        let code: String
        let names: [String]
        let formerCodes: [String]
    }

    let entries: [Entry]

    /// Indexes every agency of `directory` (code, name, former codes and names).
    public init(_ directory: Directory) {
        entries = directory.agencies.map { agency in
            Entry(
                agency: agency, code: Self.fold(agency.code.rawValue),
                names: ([agency.name] + agency.formerNames).map(Self.fold), formerCodes: agency.formerCodes.map(Self.fold))
        }
    }

    /// The agencies matching `query`, best first, at most `limit`:
    /// - every word of the folded query appears in the folded name (or a former name), or
    /// - the folded query is a prefix of the code or of a former code (`000.00.00.h5` finds H58).
    ///
    /// Ranked: a code equal to the query, then a code starting with it, then a name starting
    /// with it, then the rest; ties by code. An empty query matches every agency, by code.
    public func search(_ query: String, limit: Int = 50) -> [Agency] {
        let folded = Self.fold(query).trimmingCharacters(in: .whitespaces)
        let words = folded.split(separator: " ").map(String.init)
        var ranked: [(rank: Int, code: String, agency: Agency)] = []
        for entry in entries {
            var rank: Int?
            if folded.isEmpty {
                rank = 3
            } else if entry.code == folded || entry.formerCodes.contains(folded) {
                rank = 0
            } else if entry.code.hasPrefix(folded) || entry.formerCodes.contains(where: { $0.hasPrefix(folded) }) {
                rank = 1
            } else if entry.names.contains(where: { $0.hasPrefix(folded) }) {
                rank = 2
            } else if entry.names.contains(where: { name in words.allSatisfy { name.contains($0) } }) {
                rank = 3
            }
            if let rank { ranked.append((rank, entry.code, entry.agency)) }
        }
        ranked.sort { ($0.rank, $0.code) < ($1.rank, $1.code) }
        return ranked.prefix(max(0, limit)).map(\.agency)
    }

    /// `text` lowercased, without diacritics (canonical decomposition, combining marks dropped),
    /// `đ`/`Đ` as `d` (a letter of its own that does not decompose), and runs of whitespace as
    /// one space: "UBND tỉnh  Tiền Giang" → "ubnd tinh tien giang".
    public static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if scalar.properties.isWhitespace {
                if !lastWasSpace { scalars.append(" ") }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            switch scalar {
            case "đ", "Đ": scalars.append("d")
            default: scalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        return String(scalars)
    }
}
