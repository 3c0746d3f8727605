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
/// edXML is read as UTF-8 only (docs/contract.md): the check reads the prolog's bytes as ASCII,
/// and a parser that switched to another encoding could see markup the check cannot. The value
/// is signed and delivered as its sender wrote it (no hub rewrites it), so DocRelay does not
/// convert UTF-16 either: what the relay checks must be what every recipient reads, and a
/// sender converts before signing. What makes a document unreadable is named, with its byte:
/// - UTF-16, UTF-32 or EBCDIC (a byte order mark, or the first bytes of `<?xml` in such an
///   encoding, XML 1.0 appendix F): `UTF-16 is not accepted (little-endian, byte order mark FF FE): ...`;
/// - an `encoding="..."` other than UTF-8 (`UTF-8`, `utf8`, any case) in the XML declaration:
///   `declared encoding "utf-16" disagrees with the bytes (UTF-8): ...` (XML 1.0 §4.3.3 makes
///   bytes in another encoding than the declared one a fatal error; .NET's XmlWriter over a
///   StringBuilder writes `utf-16` over UTF-8), or `... is not UTF-8, and neither are the bytes`;
/// - content before the root element that is not whitespace, the byte order mark, a comment or
///   a processing instruction (XML 1.0 §2.8): `content before the XML declaration at byte 0
///   ("1212"): ...` (text before `<?xml`, as committed in one public repository), or `content
///   before the root element at byte 39 ("abc"): ...`;
/// - an XML declaration after anything but the byte order mark: `the XML declaration at byte 1
///   does not start the document: ...`.
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
        /// Where the document starts after its byte order mark: only there may the XML declaration stand.
        var documentStart: Int

        init(bytes: ArraySlice<UInt8>, end: Int) {
            self.bytes = bytes
            self.end = end
            self.index = bytes.startIndex
            self.documentStart = bytes.startIndex
        }

        var offset: Int { index - bytes.startIndex }

        /// Refuses the byte patterns of another encoding; steps over a UTF-8 byte order mark.
        mutating func checkEncoding() throws(EdXMLError) {
            let first = Array(bytes.prefix(4))
            for foreign in Self.foreignStarts where first.starts(with: foreign.bytes) {
                let hex = Self.hex(foreign.bytes)
                let how = foreign.isByteOrderMark ? "byte order mark \(hex)" : "no byte order mark: the document starts with bytes \(hex)"
                let order = foreign.byteOrder.map { "\($0), " } ?? ""
                throw EdXMLError("\(foreign.name) is not accepted (\(order)\(how)): \(Self.utf8Only)")
            }
            if first.starts(with: [0xEF, 0xBB, 0xBF]) { index += 3 }
            documentStart = index
        }

        /// Steps over what may precede the root element. True when the root element is reached;
        /// false when `end` came first.
        mutating func scanToRootElement() throws(EdXMLError) -> Bool {
            while index < end {
                let byte = bytes[index]
                if Self.isWhitespace(byte) {
                    index += 1
                    continue
                }
                guard byte == UInt8(ascii: "<") else { throw contentBeforeRoot() }
                guard index + 1 < end else { return false }
                switch bytes[index + 1] {
                case UInt8(ascii: "?"):
                    guard let close = find("?>", from: index + 2) else { return false }
                    if isXMLDeclaration(at: index, upTo: close) {
                        guard index == documentStart else {
                            throw EdXMLError(
                                "the XML declaration at byte \(offset) does not start the document: only a UTF-8 byte order mark may precede it (XML 1.0 §2.8)")
                        }
                        try checkDeclaredEncoding(upTo: close)
                    }
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

        /// Text (anything but markup and whitespace) at `index`, before the root element: named
        /// with its offset and first bytes, and whether an XML declaration follows it.
        private func contentBeforeRoot() -> EdXMLError {
            var stop = index
            while stop < end, bytes[stop] != UInt8(ascii: "<") { stop += 1 }
            let run = bytes[index..<stop]
            var excerpt = String(decoding: run.prefix(Self.excerptLength), as: UTF8.self)
            if run.count > Self.excerptLength { excerpt += "…" }
            if stop < end, isXMLDeclaration(at: stop, upTo: find("?>", from: stop + 2) ?? end) {
                return EdXMLError(
                    "content before the XML declaration at byte \(offset) (\(excerpt.debugDescription)): the declaration must come first (XML 1.0 §2.8)")
            }
            return EdXMLError(
                "content before the root element at byte \(offset) (\(excerpt.debugDescription)): only whitespace, comments and processing instructions may precede it (XML 1.0 §2.8)")
        }

        /// `<?xml` followed by whitespace at `start`: the XML declaration (libxml2 heeds it only
        /// at the start of a document; elsewhere it is an error).
        private func isXMLDeclaration(at start: Int, upTo close: Int) -> Bool {
            hasPrefix("<?xml", at: start) && start + 5 < close && Self.isWhitespace(bytes[start + 5])
        }

        /// Refuses an `encoding="..."` other than UTF-8 in the declaration `bytes[index..<close]`
        /// (XML 1.0 §4.3.3: the names compare case-insensitively).
        private func checkDeclaredEncoding(upTo close: Int) throws(EdXMLError) {
            guard var position = find("encoding", from: index, before: close) else { return }
            position += "encoding".utf8.count
            while position < close, Self.isWhitespace(bytes[position]) || bytes[position] == UInt8(ascii: "=") { position += 1 }
            guard position < close, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else { return }
            let quote = bytes[position]
            let value = String(decoding: bytes[(position + 1)..<close].prefix { $0 != quote }.prefix(40), as: UTF8.self)
            guard !["utf-8", "utf8"].contains(value.lowercased()) else { return }
            if bytesAreUTF8() {
                throw EdXMLError(
                    "declared encoding \(value.debugDescription) disagrees with the bytes (UTF-8): declare UTF-8, or no encoding (XML 1.0 §4.3.3)")
            }
            throw EdXMLError("declared encoding \(value.debugDescription) is not UTF-8, and neither are the bytes: \(Self.utf8Only)")
        }

        /// Whether the bytes looked at are UTF-8 (a sequence cut at `end`, when the document
        /// goes on, counts as UTF-8).
        private func bytesAreUTF8() -> Bool {
            let looked = bytes[documentStart..<end]
            let cut = end < bytes.endIndex ? 3 : 0
            return (0...cut).contains { String(validating: looked.dropLast($0), as: UTF8.self) != nil }
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

        private func hasPrefix(_ literal: String, at start: Int? = nil) -> Bool {
            let start = start ?? index
            return start + literal.utf8.count <= end && bytes[start..<(start + literal.utf8.count)].elementsEqual(literal.utf8)
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

        private static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
        }

        private static func hex(_ bytes: [UInt8]) -> String {
            bytes.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
        }

        /// What every refusal of another encoding ends with.
        static let utf8Only = "edXML is read as UTF-8 only: convert the document to UTF-8 before signing"

        /// How many bytes of content before the root a message quotes.
        private static let excerptLength = 24

        /// A start of a document in an encoding libxml2 detects by itself (XML 1.0, appendix F).
        private struct ForeignStart {
            let bytes: [UInt8]
            let name: String
            let byteOrder: String?
            let isByteOrderMark: Bool
        }

        /// Longest first where one starts another (`FF FE 00 00` before `FF FE`).
        private static let foreignStarts: [ForeignStart] = [
            ForeignStart(bytes: [0x00, 0x00, 0xFE, 0xFF], name: "UTF-32", byteOrder: "big-endian", isByteOrderMark: true),
            ForeignStart(bytes: [0xFF, 0xFE, 0x00, 0x00], name: "UTF-32", byteOrder: "little-endian", isByteOrderMark: true),
            ForeignStart(bytes: [0xFE, 0xFF], name: "UTF-16", byteOrder: "big-endian", isByteOrderMark: true),
            ForeignStart(bytes: [0xFF, 0xFE], name: "UTF-16", byteOrder: "little-endian", isByteOrderMark: true),
            ForeignStart(bytes: [0x00, 0x00, 0x00, 0x3C], name: "UTF-32", byteOrder: "big-endian", isByteOrderMark: false),
            ForeignStart(bytes: [0x3C, 0x00, 0x00, 0x00], name: "UTF-32", byteOrder: "little-endian", isByteOrderMark: false),
            ForeignStart(bytes: [0x00, 0x00, 0x3C, 0x00], name: "UCS-4", byteOrder: "unusual byte order 2143", isByteOrderMark: false),
            ForeignStart(bytes: [0x00, 0x3C, 0x00, 0x00], name: "UCS-4", byteOrder: "unusual byte order 3412", isByteOrderMark: false),
            ForeignStart(bytes: [0x00, 0x3C, 0x00, 0x3F], name: "UTF-16", byteOrder: "big-endian", isByteOrderMark: false),
            ForeignStart(bytes: [0x3C, 0x00, 0x3F, 0x00], name: "UTF-16", byteOrder: "little-endian", isByteOrderMark: false),
            ForeignStart(bytes: [0x4C, 0x6F, 0xA7, 0x94], name: "EBCDIC", byteOrder: nil, isByteOrderMark: false),
        ]
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
