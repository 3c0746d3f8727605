/// `text` in single quotes for an error message: control characters escaped, and cut after
/// `limit` characters so that a hostile input cannot flood a log line.
func quoted(_ text: String, limit: Int = 80) -> String {
    var result = "'"
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            result += "…"
            break
        }
        switch scalar {
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case "'": result += "\\'"
        case "\\": result += "\\\\"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        count += 1
    }
    return result + "'"
}

/// `bytes` as text for an error message: decoded as UTF-8 where valid, then quoted.
func quoted(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
    quoted(String(decoding: bytes.prefix(limit * 4), as: UTF8.self), limit: limit)
}
