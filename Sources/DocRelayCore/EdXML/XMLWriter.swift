/// Builds XML text with the `edXML:` prefix, escaping text and refusing characters XML 1.0
/// cannot carry.
struct XMLWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ text: String) { bytes += text.utf8 }

    /// `<edXML:name>` with the given children (those with a value), each on its own line.
    mutating func group(_ name: String, indent: Int, _ children: [(String, String?)]) throws(EdXMLError) {
        let pad = String(repeating: " ", count: indent)
        raw("\(pad)<edXML:\(name)>\n")
        for case let (child, value?) in children { try element(child, value, indent: indent + 2) }
        raw("\(pad)</edXML:\(name)>\n")
    }

    mutating func element(_ name: String, _ value: String, indent: Int) throws(EdXMLError) {
        raw(String(repeating: " ", count: indent) + "<edXML:\(name)>")
        raw(try Self.escape(value, element: name))
        raw("</edXML:\(name)>\n")
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped; throws on control characters other than
    /// tab and line breaks, and on U+FFFE/U+FFFF, which XML 1.0 cannot carry.
    static func escape(_ text: String, element: String) throws(EdXMLError) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            case "\r": result += "&#13;"
            default:
                guard scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF else {
                    throw EdXMLError("\(element): text XML cannot carry (character U+\(String(scalar.value, radix: 16, uppercase: true)))")
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
