public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the header of an edXML document as real agency software sends it: elements matched by
/// local name whatever their prefix or namespace (`edXML:From`, `From` in a default namespace
/// or none), in any order, `Bussiness` or `Business`; streamed, keeping only the characters of
/// the elements it extracts, so a large base64 attachment is never held as text.
///
/// The whole document must be well-formed XML (a truncated one is refused), with one
/// MessageHeader naming its sender (`From/OrganId`); an edoc names at least one `To/OrganId`
/// and a status (one with a StatusCode) its `ResponseFor`.
///
/// Before the parser sees a byte, the prolog is checked (`EdXMLProlog`): a document type
/// declaration (`<!DOCTYPE`, `<!ENTITY`) or a prolog over 64 KiB is refused, so entity expansion
/// and external entities never happen; and what makes a document unreadable UTF-8 XML is named
/// with its byte instead of a parser's guess: content before the XML declaration or the root
/// element (XML 1.0 §2.8), a declared encoding other than UTF-8 (XML 1.0 §4.3.3), UTF-16 or
/// UTF-32 (not accepted: the value is signed as sent and never converted). Every reader of edXML
/// (the relay's verifier, the agent, `sign`, `send`, `verify`, `dlq show`) comes through here.
public enum EdXMLReader {
    /// How many first bytes `looksLikeEdXML` looks at.
    public static let sniffLength = 4096

    /// Whether `bytes` are meant as edXML, readable or not: their first 4 KiB (`sniffLength`),
    /// as UTF-8 or as UTF-16 of either byte order, hold `<edXML` or `:edXML` (the root element
    /// of QCVN 102:2016, with or without a prefix, or the `edXML` namespace prefix). Bytes before
    /// the declaration, another declared encoding or UTF-16 do not hide them, so such a document
    /// is refused with its reason (`readHeader`) rather than taken for another type.
    public static func looksLikeEdXML(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(sniffLength)
        for marker in ["<edXML", ":edXML"] {
            let ascii = Array(marker.utf8)
            let little: [UInt8] = ascii.flatMap { [$0, 0] }
            let big: [UInt8] = ascii.flatMap { [0, $0] }
            for pattern in [ascii, little, big] where contains(head, pattern) { return true }
        }
        return false
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        var index = bytes.startIndex
        while index + pattern.count <= bytes.endIndex {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    /// The header of the edXML document `bytes`.
    public static func readHeader(_ bytes: [UInt8]) throws(EdXMLError) -> EdXMLHeader {
        try checkProlog(bytes)
        // Fed through a stream so libxml2 delivers long texts in bounded chunks.
        return try read(XMLParser(stream: InputStream(data: Data(bytes))))
    }

    /// The header of an edXML document of which only the first bytes are at hand (the first
    /// segment of a document sent in segments): as `readHeader(_:)`, except that the bytes may
    /// end anywhere after the `MessageHeader`'s end tag. What follows it is not read (a second
    /// `MessageHeader` further on is found by whoever reads the whole document: the recipient).
    public static func readHeader(prefix bytes: [UInt8]) throws(EdXMLError) -> EdXMLHeader {
        try EdXMLProlog.check(bytes[...], isWhole: bytes.count <= EdXMLProlog.limit)
        return try read(XMLParser(stream: InputStream(data: Data(bytes))), prefix: true)
    }

    /// The header of the edXML file at `url`, streamed from the file (never read whole).
    public static func readHeader(contentsOf url: URL) throws(EdXMLError) -> EdXMLHeader {
        guard FileManager.default.isReadableFile(atPath: url.path), let file = try? FileHandle(forReadingFrom: url),
              let stream = InputStream(url: url)
        else {
            throw EdXMLError("cannot open \(url.path): no readable file there")
        }
        let head: Data
        do {
            defer { try? file.close() }
            head = try file.read(upToCount: EdXMLProlog.limit + 1) ?? Data()
        } catch {
            throw EdXMLError("cannot read \(url.path): \(error.localizedDescription)")
        }
        try EdXMLProlog.check([UInt8](head)[...], isWhole: head.count <= EdXMLProlog.limit)
        return try read(XMLParser(stream: stream))
    }

    /// Only the check of the prolog that `readHeader` makes first (at most 64 KiB looked at):
    /// throws, e.g. `edXML must not declare a DTD (<!DOCTYPE found at byte 39)` or `content
    /// before the XML declaration at byte 0 ("1212"): ...`, for a document no parser may read as
    /// edXML.
    public static func checkProlog(_ bytes: [UInt8]) throws(EdXMLError) {
        try EdXMLProlog.check(bytes[...], isWhole: true)
    }

    private static func read(_ parser: XMLParser, prefix: Bool = false) throws(EdXMLError) -> EdXMLHeader {
        let collector = EdXMLHeaderCollector()
        collector.readsPrefix = prefix
        parser.delegate = collector
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.externalEntityResolvingPolicy = .never
        let succeeded = parser.parse()
        if let error = collector.error { throw error }
        if !succeeded, prefix, collector.messageHeaderEnded {
            // The prefix ends after the header: what the parser says of the cut is not the document's.
        } else if !succeeded, let error = parser.parserError {
            let code = (error as NSError).code
            if LibXML2Errors.isTolerated(code) || code == LibXML2Errors.userStop {
                // A tolerated warning, or a stop the collector asked for (its error is thrown above).
            } else if (error as NSError).domain == XMLParser.errorDomain {
                throw EdXMLError("not XML: \(LibXML2Errors.describe(code))",
                                 line: parser.lineNumber > 0 ? parser.lineNumber : nil)
            } else {
                throw EdXMLError("cannot read the document: \(error.localizedDescription)")
            }
        }
        guard collector.sawRoot else { throw EdXMLError("not XML: no element at all") }
        guard collector.messageHeaderCount > 0 else { throw EdXMLError("no MessageHeader") }
        let header = collector.header
        guard let from = header.from, !from.isEmpty else { throw EdXMLError("no From/OrganId") }
        switch header.kind {
        case .status:
            guard header.responseFor != nil else { throw EdXMLError("no ResponseFor in a status (StatusCode \(header.statusCode?.rawValue ?? ""))") }
        default:
            guard !header.to.isEmpty else { throw EdXMLError("no To/OrganId") }
            guard !header.to.contains(where: \.isEmpty) else { throw EdXMLError("an empty To/OrganId") }
        }
        return header
    }
}
