import DocRelayCore
import Foundation

/// A document handed to the agent to send (a spool file with its sidecar, or an HTTP request):
/// its bytes, and either what to sign or the headers of a record signed elsewhere.
struct DocumentSubmission: Sendable {
    /// What the submitter says about the document.
    enum Metadata: Sendable {
        /// Signed here. Absent fields default as `docrelay sign` does (from the edXML header).
        case unsigned(id: String?, kind: DocumentKind?, to: [String]?, ref: String?, contentType: String?)
        /// Already signed: the contract's `dr-*` headers, passed on unchanged.
        case signed([(name: String, value: [UInt8]?)])
    }

    var value: [UInt8]
    var metadata: Metadata
    /// The file name (a spool file's), to guess a content type.
    var fileName: String?

    init(value: [UInt8], metadata: Metadata, fileName: String? = nil) {
        self.value = value
        self.metadata = metadata
        self.fileName = fileName
    }
}

/// Why a submitted document is not sent: the field (a header, a sidecar key) and what was
/// expected. Written to the reason file of `rejected/`, or as an HTTP 4xx JSON body.
struct SubmissionError: Error, Sendable, CustomStringConvertible {
    /// `malformed`, `signature`, `sender`, `recipient`, `oversize` (the relay's classes), or
    /// `duplicate` for an id already used.
    let errorClass: String
    let field: String?
    let message: String

    init(_ errorClass: String, field: String?, _ message: String) {
        self.errorClass = errorClass
        self.field = field
        self.message = message
    }

    var description: String { field.map { "\($0): \(message)" } ?? message }
}
