import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The `XMLParser` delegate behind `EdXMLReader`: follows the path of elements by local name
/// (whatever the prefix or namespace), and keeps the characters of the few elements it extracts
/// only, so a large attachment passes through without being held.
final class EdXMLHeaderCollector: NSObject, XMLParserDelegate {
    /// The fields read, by their path below `MessageHeader` (or, for the business doc type,
    /// below `Bussiness`/`Business`).
    private enum Field: Equatable {
        case from, to, documentId, codeNumber, codeNotation, subject
        case responseOrganId, responseCode, responsePromulgationDate, responseDocumentId
        case statusCode, statusDescription, timestamp, businessDocType

        /// For errors: the element's path.
        var path: String {
            switch self {
            case .from: "From/OrganId"
            case .to: "To/OrganId"
            case .documentId: "MessageHeader/DocumentId"
            case .codeNumber: "Code/CodeNumber"
            case .codeNotation: "Code/CodeNotation"
            case .subject: "Subject"
            case .responseOrganId: "ResponseFor/OrganId"
            case .responseCode: "ResponseFor/Code"
            case .responsePromulgationDate: "ResponseFor/PromulgationDate"
            case .responseDocumentId: "ResponseFor/DocumentId"
            case .statusCode: "StatusCode"
            case .statusDescription: "Description"
            case .timestamp: "Timestamp"
            case .businessDocType: "Bussiness/BussinessDocType"
            }
        }
    }

    /// The longest text kept for one field; longer is refused rather than held.
    static let maxFieldBytes = 65_536

    private(set) var header = EdXMLHeader()
    private(set) var error: EdXMLError?
    private(set) var sawRoot = false
    private(set) var messageHeaderCount = 0
    /// Whether only the first bytes of the document are read (a parse error after the header is the cut's).
    var readsPrefix = false
    /// Whether the first `MessageHeader` was read to its end tag.
    private(set) var messageHeaderEnded = false

    /// Local names of the open elements.
    private var stack: [Substring] = []
    /// Depth of the first `MessageHeader` while inside it.
    private var messageHeaderDepth: Int?
    /// The field whose characters are being kept, the depth of its element, and the text so far.
    private var collecting: (field: Field, depth: Int)?
    private var text = ""
    private var seen: [Field] = []
    private var responseFor: EdXMLResponseFor?

    // MARK: Elements

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        sawRoot = true
        let name = Self.localName(elementName)
        stack.append(name)
        if collecting != nil {
            // An element inside one being read: its characters are not the field's.
            return
        }
        if name == "MessageHeader" {
            messageHeaderCount += 1
            if messageHeaderCount > 1 {
                fail(parser, "more than one MessageHeader")
            } else {
                messageHeaderDepth = stack.count
            }
            return
        }
        guard let field = field(for: name) else { return }
        collecting = (field, stack.count)
        text = ""
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        defer { stack.removeLast() }
        if let (field, depth) = collecting, depth == stack.count {
            collecting = nil
            store(text.trimmingWhitespace(), in: field, parser: parser)
            text = ""
        }
        if messageHeaderDepth == stack.count {
            messageHeaderDepth = nil
            messageHeaderEnded = true
            header.responseFor = responseFor
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        keep(string, parser: parser)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard collecting != nil else { return }
        keep(String(decoding: CDATABlock, as: UTF8.self), parser: parser)
    }

    private func keep(_ string: String, parser: XMLParser) {
        guard let (field, depth) = collecting, depth == stack.count else { return }
        guard text.utf8.count + string.utf8.count <= Self.maxFieldBytes else {
            fail(parser, "\(field.path) longer than \(Self.maxFieldBytes) bytes")
            return
        }
        text += string
    }

    // MARK: Errors

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        let code = (parseError as NSError).code
        if LibXML2Errors.isTolerated(code) { return }
        if readsPrefix && messageHeaderEnded {
            // A prefix (`EdXMLReader.readHeader(prefix:)`) cut after the header: its end is not the document's.
            parser.abortParsing()
            return
        }
        fail(parser, "not XML: \(LibXML2Errors.describe(code))")
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) {}

    private func fail(_ parser: XMLParser, _ message: String) {
        guard error == nil else { return }
        error = EdXMLError(message, line: parser.lineNumber > 0 ? parser.lineNumber : nil)
        parser.abortParsing()
    }

    // MARK: Paths

    /// `From` for `edXML:From` or `From`.
    private static func localName(_ name: String) -> Substring {
        guard let colon = name.lastIndex(of: ":") else { return Substring(name) }
        return name[name.index(after: colon)...]
    }

    /// The field the element just opened (the last of `stack`) holds, if DocRelay reads it.
    private func field(for name: Substring) -> Field? {
        if name == "BussinessDocType" || name == "BusinessDocType" {
            let parent = stack.dropLast().last
            return parent == "Bussiness" || parent == "Business" ? .businessDocType : nil
        }
        guard let depth = messageHeaderDepth else { return nil }
        let relative = stack[depth...]
        switch relative.count {
        case 1:
            switch name {
            case "DocumentId": return .documentId
            case "Subject": return .subject
            case "StatusCode": return .statusCode
            case "Description": return .statusDescription
            case "Timestamp": return .timestamp
            default: return nil
            }
        case 2:
            switch (relative[depth], name) {
            case ("From", "OrganId"): return .from
            case ("To", "OrganId"): return .to
            case ("Code", "CodeNumber"): return .codeNumber
            case ("Code", "CodeNotation"): return .codeNotation
            case ("ResponseFor", "OrganId"): return .responseOrganId
            case ("ResponseFor", "Code"): return .responseCode
            case ("ResponseFor", "PromulgationDate"): return .responsePromulgationDate
            case ("ResponseFor", "DocumentId"): return .responseDocumentId
            default: return nil
            }
        default:
            return nil
        }
    }

    private func store(_ value: String, in field: Field, parser: XMLParser) {
        if field != .to {
            guard !seen.contains(field) else {
                fail(parser, "more than one \(field.path)")
                return
            }
            seen.append(field)
        }
        switch field {
        case .from: header.from = value
        case .to: header.to.append(value)
        case .documentId: header.documentId = value
        case .codeNumber: header.codeNumber = value
        case .codeNotation: header.codeNotation = value
        case .subject: header.subject = value
        case .responseOrganId: responseFor(\.organId, value)
        case .responseCode: responseFor(\.code, value)
        case .responsePromulgationDate: responseFor(\.promulgationDate, value)
        case .responseDocumentId: responseFor(\.documentId, value)
        case .statusCode:
            guard let code = EdXMLStatusCode(rawValue: value) else {
                fail(parser, "StatusCode: expected a two-digit code from 01 to 16, not \(quoted(value))")
                return
            }
            header.statusCode = code
        case .statusDescription: header.statusDescription = value
        case .timestamp: header.timestamp = value
        case .businessDocType: header.businessDocType = value
        }
    }

    private func responseFor(_ keyPath: WritableKeyPath<EdXMLResponseFor, String?>, _ value: String) {
        var current = responseFor ?? EdXMLResponseFor()
        current[keyPath: keyPath] = value
        responseFor = current
    }
}
