/// Readable words for the libxml2 error codes that XMLParser reports on Linux (`xmlParserErrors`;
/// Foundation's `XMLParser.ErrorCode` numbers them differently, so it is not used here).
enum LibXML2Errors {
    /// Warnings (an unknown version, a relative namespace URI...) and namespace errors (an
    /// undeclared prefix): agency software sends them, and elements are matched by local name
    /// anyway, so they do not make a document unreadable.
    static func isTolerated(_ code: Int) -> Bool {
        [93, 97, 98, 99, 100, 102, 106, 107].contains(code) || (200..<300).contains(code)
    }

    /// `XML_ERR_USER_STOP`: the parse was stopped by its delegate.
    static let userStop = 111

    static func describe(_ code: Int) -> String {
        messages[code] ?? "libxml2 error \(code)"
    }

    private static let messages: [Int: String] = [
        1: "internal error of the XML parser",
        2: "out of memory",
        3: "the document does not start as XML",
        4: "no start tag where the document should begin",
        5: "content after the end of the document, or a document cut short",
        6: "an invalid hexadecimal character reference",
        7: "an invalid decimal character reference",
        8: "an invalid character reference",
        9: "a character XML does not allow",
        22: "'&' without an entity name",
        23: "an entity reference without ';'",
        26: "an undeclared entity",
        31: "an unknown encoding",
        32: "an unsupported encoding",
        38: "'<' in an attribute value",
        39: "an attribute value without quotes",
        40: "an unfinished attribute value",
        41: "an attribute without a value",
        42: "an attribute given twice",
        45: "an unfinished comment",
        47: "an unfinished processing instruction",
        57: "an unfinished XML declaration",
        61: "an unfinished DOCTYPE",
        63: "an unfinished CDATA section",
        64: "an XML declaration not at the start",
        65: "a space required",
        68: "a name required",
        73: "'>' expected",
        74: "'</' expected",
        75: "'=' expected",
        76: "an end tag that does not match its start tag",
        77: "an element not closed (the document is cut short)",
        81: "text that is not in the declared encoding",
        85: "elements not well balanced",
        86: "extra content at the end of the document",
        89: "an entity that refers to itself",
        104: "entity expansion beyond limits",
    ]
}
