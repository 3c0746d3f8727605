/// What DocRelay reads from an edXML document (QCVN 102:2016): its sender and recipients, its
/// identity and, for a status, what it is about and the state it reports.
public struct EdXMLHeader: Sendable, Hashable {
    /// `MessageHeader/From/OrganId`: the sender's agency code.
    public var from: String?
    /// Every `MessageHeader/To/OrganId`, in document order (none in a status).
    public var to: [String]
    /// `MessageHeader/DocumentId` (not the one inside `ResponseFor` or `TraceHeaderList`),
    /// e.g. `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`.
    public var documentId: String?
    /// `MessageHeader/Code/CodeNumber`, e.g. `7816`.
    public var codeNumber: String?
    /// `MessageHeader/Code/CodeNotation`, e.g. `VPCP-TTĐT`.
    public var codeNotation: String?
    /// `MessageHeader/Subject`.
    public var subject: String?
    /// `MessageHeader/ResponseFor`: the document a status (or a recall) is about.
    public var responseFor: EdXMLResponseFor?
    /// `MessageHeader/StatusCode`: present in a status document.
    public var statusCode: EdXMLStatusCode?
    /// `TraceHeaderList/Bussiness/BussinessDocType` (or the `Business` spelling): 0 new, 1 recall, ...
    public var businessDocType: String?
    /// `MessageHeader/Description` of a status.
    public var statusDescription: String?
    /// `MessageHeader/Timestamp` of a status, as written (`yyyy/MM/dd HH:mm:ss`, Vietnam time).
    public var timestamp: String?

    public init(
        from: String? = nil, to: [String] = [], documentId: String? = nil, codeNumber: String? = nil,
        codeNotation: String? = nil, subject: String? = nil, responseFor: EdXMLResponseFor? = nil,
        statusCode: EdXMLStatusCode? = nil, businessDocType: String? = nil, statusDescription: String? = nil,
        timestamp: String? = nil
    ) {
        self.from = from
        self.to = to
        self.documentId = documentId
        self.codeNumber = codeNumber
        self.codeNotation = codeNotation
        self.subject = subject
        self.responseFor = responseFor
        self.statusCode = statusCode
        self.businessDocType = businessDocType
        self.statusDescription = statusDescription
        self.timestamp = timestamp
    }

    /// The document's code ("số, ký hiệu"), e.g. `7816/VPCP-TTĐT`: `CodeNumber/CodeNotation`, else
    /// the code of the document it responds to (`ResponseFor/Code`).
    public var code: String? {
        switch (codeNumber, codeNotation) {
        case (let number?, let notation?): "\(number)/\(notation)"
        case (let number?, nil): number
        case (nil, let notation?): notation
        case (nil, nil): responseFor?.code
        }
    }

    /// `status` when the document carries a StatusCode, else `edoc`.
    public var kind: DocumentKind { statusCode == nil ? .edoc : .status }

    /// Whom the document is for: its `To` OrganIds, or for a status without any, the sender of
    /// the document it is about (`ResponseFor/OrganId`).
    public var recipients: [String] {
        if !to.isEmpty || kind == .edoc { return to }
        return responseFor?.organId.map { [$0] } ?? []
    }
}

/// `MessageHeader/ResponseFor`: the document a status or a recall answers.
public struct EdXMLResponseFor: Sendable, Hashable {
    /// The agency that sent the original document.
    public var organId: String?
    /// The original's code, e.g. `7816/VPCP-TTĐT`.
    public var code: String?
    /// The original's promulgation date as written, e.g. `2015/09/30`.
    public var promulgationDate: String?
    /// The original's DocumentId.
    public var documentId: String?

    public init(organId: String? = nil, code: String? = nil, promulgationDate: String? = nil, documentId: String? = nil) {
        self.organId = organId
        self.code = code
        self.promulgationDate = promulgationDate
        self.documentId = documentId
    }
}
