/// The check of an edXML document's prolog (what comes before its root element), made before
/// any XML parser sees the document.
///
/// QCVN 102:2016 edXML needs no document type declaration, and a DTD is what lets a document
/// make its parser work without bound (an internal entity of 200 KB referenced 60,000 times in a
/// 380 KB file took 23 s of CPU) or read files and URLs (external entities). So a prolog may hold
/// only a UTF-8 byte order mark, the XML declaration, comments, processing instructions and
/// whitespace; any other `<!` markup there (`<!DOCTYPE`, `<!ENTITY`, `<![CDATA[`) is refused,
/// naming what was found and its byte offset. A DTD can only stand in the prolog, so the check
/// stops at the root element: `<!DOCTYPE` inside a comment, a CDATA section or the body is text.
///
/// edXML is read as UTF-8 only: the check reads the prolog's bytes as ASCII, and a parser that
/// switched to another encoding (UTF-16 or UTF-32 detected from the first bytes, EBCDIC, an
/// `encoding="..."` other than UTF-8 in the XML declaration) could see markup the check cannot,
/// so such documents are refused as well.
///
/// Cost: at most `limit` bytes are looked at; a prolog longer than that is refused.
enum EdXMLProlog {
    /// The longest prolog read (bytes): real ones are an XML declaration and perhaps a comment.
    static let limit = 65_536

    /// Throws when `head`, the first bytes of a document, has a prolog edXML does not allow.
    /// `head` holds the first `limit` bytes or more, or the whole document (`isWhole`); when
    /// the prolog ends inside a whole document, the parser says what is wrong with it.
    static func check(_ head: ArraySlice<UInt8>, isWhole: Bool) throws(EdXMLError) {
        var scanner = Scanner(bytes: head, end: head.startIndex + min(head.count, limit))
        try scanner.checkEncoding()
        if try scanner.scanToRootElement() { return }
        if isWhole && head.count <= limit { return }
        throw EdXMLError("a prolog (before the root element) longer than \(limit) bytes")
    }

    private struct Scanner {
        let bytes: ArraySlice<UInt8>
        let end: Int
        var index: Int

        init(bytes: ArraySlice<UInt8>, end: Int) {
            self.bytes = bytes
            self.end = end
            self.index = bytes.startIndex
        }

        var offset: Int { index - bytes.startIndex }

        /// Refuses the byte patterns of another encoding; steps over a UTF-8 byte order mark.
        mutating func checkEncoding() throws(EdXMLError) {
            let first = Array(bytes.prefix(4))
            for (pattern, name) in Self.foreignStarts where first.starts(with: pattern) {
                let hex = pattern.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
                throw EdXMLError("edXML must be UTF-8, not \(name) (the document starts with bytes \(hex))")
            }
            if first.starts(with: [0xEF, 0xBB, 0xBF]) { index += 3 }
        }

        /// Steps over what may precede the root element. True when the root element (or text,
        /// which the parser refuses) is reached; false when `end` came first.
        mutating func scanToRootElement() throws(EdXMLError) -> Bool {
            while index < end {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                    index += 1
                    continue
                }
                // Text before the root element is not XML: the parser refuses it.
                guard byte == UInt8(ascii: "<") else { return true }
                guard index + 1 < end else { return false }
                switch bytes[index + 1] {
                case UInt8(ascii: "?"):
                    guard let close = find("?>", from: index + 2) else { return false }
                    if isXMLDeclaration(upTo: close) { try checkDeclaredEncoding(upTo: close) }
                    index = close + 2
                case UInt8(ascii: "!"):
                    if hasPrefix("<!--") {
                        guard let close = find("-->", from: index + 4) else { return false }
                        index = close + 3
                    } else if index + 4 > end, "<!--".utf8.starts(with: bytes[index..<end]) {
                        return false
                    } else {
                        throw EdXMLError("edXML must not declare a DTD (\(markupName()) found at byte \(offset))")
                    }
                default:
                    return true
                }
            }
            return false
        }

        /// `<?xml` followed by whitespace: the XML declaration (libxml2 heeds it only at the start
        /// of a document; elsewhere it is an error anyway).
        private func isXMLDeclaration(upTo close: Int) -> Bool {
            hasPrefix("<?xml") && index + 5 < close && [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index + 5])
        }

        /// Refuses an `encoding="..."` other than UTF-8 in the declaration `bytes[index..<close]`.
        private func checkDeclaredEncoding(upTo close: Int) throws(EdXMLError) {
            guard var position = find("encoding", from: index, before: close) else { return }
            position += "encoding".utf8.count
            while position < close, [0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: "=")].contains(bytes[position]) { position += 1 }
            guard position < close, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else { return }
            let quote = bytes[position]
            let value = String(decoding: bytes[(position + 1)..<close].prefix { $0 != quote }.prefix(40), as: UTF8.self)
            guard !["utf-8", "utf8"].contains(value.lowercased()) else { return }
            throw EdXMLError("edXML must be UTF-8, not \(value) (declared in the XML declaration)")
        }

        /// `<!` and the name after it (`<!DOCTYPE`, `<!ENTITY`, `<![CDATA[`), printable.
        private func markupName() -> String {
            let name = bytes[(index + 2)..<min(end, index + 12)].prefix { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "-")
            }
            // `[CDATA[x` is named `[CDATA[`.
            let bracketed = name.lastIndex(of: UInt8(ascii: "[")).map { name[...$0] } ?? name
            return "<!" + String(decoding: bracketed, as: UTF8.self)
        }

        private func hasPrefix(_ literal: String) -> Bool {
            index + literal.utf8.count <= end && bytes[index..<(index + literal.utf8.count)].elementsEqual(literal.utf8)
        }

        /// The index where `literal` starts at or after `start`, ending before `limit` (default `end`).
        private func find(_ literal: String, from start: Int, before limit: Int? = nil) -> Int? {
            let pattern = Array(literal.utf8)
            let limit = limit ?? end
            var position = start
            while position + pattern.count <= limit {
                if bytes[position] == pattern[0], bytes[position..<(position + pattern.count)].elementsEqual(pattern) {
                    return position
                }
                position += 1
            }
            return nil
        }

        /// The first bytes of encodings libxml2 detects by themselves (XML 1.0, appendix F).
        private static let foreignStarts: [([UInt8], String)] = [
            ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"), ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"),
            ([0xFE, 0xFF], "UTF-16"), ([0xFF, 0xFE], "UTF-16"),
            ([0x00, 0x00, 0x00, 0x3C], "UTF-32"), ([0x3C, 0x00, 0x00, 0x00], "UTF-32"),
            ([0x00, 0x00, 0x3C, 0x00], "UCS-4"), ([0x00, 0x3C, 0x00, 0x00], "UCS-4"),
            ([0x00, 0x3C, 0x00, 0x3F], "UTF-16"), ([0x3C, 0x00, 0x3F, 0x00], "UTF-16"),
            ([0x4C, 0x6F, 0xA7, 0x94], "EBCDIC"),
        ]
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
