/// The name of an agency: its QCVN 102:2016 identifier (`AAA.BB.CC.Xnn`, e.g. `000.00.32.H53`),
/// or another identifier that real traffic carries (test and SaaS units such as `vxp.saas.03`).
///
/// QCVN codes are parsed strictly (`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`) and carry the
/// hierarchy in themselves (see `defaultParent`). Other identifiers are accepted here on syntax
/// alone (`[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?`): whether one may be used is the directory's
/// decision, which accepts it only where it is declared with its home hub and parent.
///
/// A text shaped like a QCVN code (three groups of digits and a fourth group, separated by dots)
/// is always read as one, so `000.00.32.h53` is refused rather than taken for another identifier.
public struct AgencyCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The code as written, e.g. `000.00.00.G22` or `vxp.saas.03`.
    public let rawValue: String

    /// Whether the code is a QCVN 102:2016 code (`AAA.BB.CC.Xnn`).
    public var isQCVN: Bool { qcvn }

    private let qcvn: Bool

    private init(rawValue: String, isQCVN: Bool) {
        self.rawValue = rawValue
        self.qcvn = isQCVN
    }

    /// A QCVN 102:2016 code, parsed strictly: `AAA.BB.CC.Xnn` with digits and one capital letter.
    public static func qcvn(
        _ text: String, file: String = #fileID, line: Int = #line
    ) throws(AgencyCodeError) -> AgencyCode {
        guard isQCVNCode(text.utf8) else {
            throw AgencyCodeError(text: text, expected: AgencyCodeError.expectedQCVN, file: file, line: line)
        }
        return AgencyCode(rawValue: text, isQCVN: true)
    }

    /// A QCVN 102:2016 code, or another identifier of the form `[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?`
    /// (syntax only: the directory decides whether such a code may be used).
    public init(parsing text: String, file: String = #fileID, line: Int = #line) throws(AgencyCodeError) {
        let bytes = text.utf8
        if Self.isQCVNCode(bytes) {
            self.init(rawValue: text, isQCVN: true)
        } else if Self.looksLikeQCVN(bytes) {
            throw AgencyCodeError(text: text, expected: AgencyCodeError.expectedQCVN, file: file, line: line)
        } else if Self.isOtherIdentifier(bytes) {
            self.init(rawValue: text, isQCVN: false)
        } else {
            throw AgencyCodeError(text: text, expected: AgencyCodeError.expectedAny, file: file, line: line)
        }
    }

    /// For a QCVN code, the code of the body above it: the leftmost non-zero numeric group set to
    /// zero (`000.21.32.H53` → `000.00.32.H53` → `000.00.00.H53` → `nil`, the national hub).
    /// `nil` for other identifiers, whose parent only the directory knows.
    public var defaultParent: AgencyCode? {
        guard isQCVN else { return nil }
        var bytes = Array(rawValue.utf8)
        for group in [0..<3, 4..<6, 7..<9] where bytes[group].contains(where: { $0 != UInt8(ascii: "0") }) {
            for index in group { bytes[index] = UInt8(ascii: "0") }
            return AgencyCode(rawValue: String(decoding: bytes, as: UTF8.self), isQCVN: true)
        }
        return nil
    }

    /// The level-1 body a QCVN code belongs to, its last group (`H53` for `000.21.32.H53`: a
    /// province; `G..` are ministries). For another identifier, the identifier itself.
    public var levelOneBody: String {
        guard isQCVN else { return rawValue }
        return String(rawValue.suffix(3))
    }

    /// Whether all three numeric groups are zero (`000.00.00.Xnn`): a level-1 body itself.
    public var isLevelOne: Bool { isQCVN && defaultParent == nil }

    public var description: String { rawValue }

    public static func < (lhs: AgencyCode, rhs: AgencyCode) -> Bool { lhs.rawValue < rhs.rawValue }

    // MARK: Syntax

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isQCVNCode(_ bytes: String.UTF8View) -> Bool {
        guard bytes.count == 13 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 3, 6, 9: guard byte == UInt8(ascii: ".") else { return false }
            case 10: guard byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") else { return false }
            default: guard isDigit(byte) else { return false }
            }
        }
        return true
    }

    /// Three dot-separated groups of digits then a fourth group: meant as a QCVN code.
    private static func looksLikeQCVN(_ bytes: String.UTF8View) -> Bool {
        let groups = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard groups.count == 4 else { return false }
        return groups.prefix(3).allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }

    private static func isOtherIdentifier(_ bytes: String.UTF8View) -> Bool {
        guard (1...64).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}
