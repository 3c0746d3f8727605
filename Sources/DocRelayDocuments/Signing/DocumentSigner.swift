public import DocRelayCore
public import DocRelaySigning
public import Foundation

/// A document that cannot be signed as asked: which header, and why.
public struct DocumentSigningError: Error, Sendable, CustomStringConvertible {
    public let header: String?
    public let message: String

    public var description: String { header.map { "\($0): \(message)" } ?? message }
}

/// Signs documents as the contract says: the headers, then a detached CMS signature over the
/// signature base. Used by `docrelay sign` and `send`, and by the agency daemon.
public enum DocumentSigner {
    /// The signed headers of `value`. Every header is checked as the relay will check it, so
    /// a document that would be refused as malformed is refused here.
    public static func sign(
        _ value: [UInt8], draft: DocumentDraft, identity: SigningIdentity,
        scheme: SignatureScheme = .rsaPKCS1v15, limits: EnvelopeLimits = EnvelopeLimits()
    ) throws(DocumentSigningError) -> SignedHeaders {
        let unsigned = try headers(for: value, draft: draft, signerCode: agencyCode(inSubject: identity.certificate.subject))
        let signature: [UInt8]
        do {
            signature = try CMSSigner.signDetached(unsigned.signatureBase, identity: identity, scheme: scheme)
        } catch {
            throw DocumentSigningError(header: HeaderName.signature, message: error.message)
        }
        var signed = unsigned
        signed.signature = Data(signature).base64EncodedString()
        guard value.count <= limits.maxDocumentBytes else {
            throw DocumentSigningError(
                header: nil, message: "expected a document of at most \(limits.maxDocumentBytes) bytes (limits.max-document-bytes), not \(value.count)")
        }
        do {
            // A value over one record's limit travels in segments (`DocumentSegmentation`),
            // each within it: the headers are checked as a segment's are.
            let recordValue = value.count > limits.maxValueBytes ? 0 : value.count
            _ = try Envelope.decode(
                headers: signed.headers.map { ($0.name, Optional($0.value)) }, valueLength: recordValue, limits: limits)
        } catch {
            throw DocumentSigningError(header: error.header, message: error.message)
        }
        return signed
    }

    /// The headers to sign (with an empty signature), defaults filled in.
    /// `signerCode`: the sender when neither the draft nor the edXML names one (the signing
    /// certificate's CN, when it is an agency code).
    public static func headers(
        for value: [UInt8], draft: DocumentDraft, signerCode: String? = nil
    ) throws(DocumentSigningError) -> SignedHeaders {
        let edXML = try edXMLHeader(of: value, draft: draft)
        let kind = draft.kind ?? edXML?.kind ?? .edoc
        guard let from = draft.from ?? edXML?.from ?? signerCode else {
            throw DocumentSigningError(
                header: HeaderName.from,
                message: "give the sender's code (--from), or an edXML document with a From/OrganId, or a certificate whose CN is the code")
        }
        let to = draft.to ?? edXML?.recipients ?? []
        guard !to.isEmpty else {
            var message = "give the recipients' codes (--to), or an edXML document with To/OrganId"
            if edXML == nil, let contentType = draft.contentType, EdXMLReader.looksLikeEdXML(value) {
                message += " (this one looks like edXML, but its content type \(contentType) is not application/edxml+xml)"
            }
            throw DocumentSigningError(header: HeaderName.to, message: message)
        }
        let sha256 = SHA256Hex.of(value)
        var id = draft.id
        if id == nil, kind == .edoc, let edXML, let documentId = edXML.documentId {
            guard let type = edXML.messageType else {
                throw DocumentSigningError(
                    header: HeaderName.id,
                    message: "the edXML BussinessDocType is \(edXML.businessDocType ?? ""); QCVN 102 defines 0 (new), 1 (revocation), 2 (update), 3 (replacement)")
            }
            id = type.transportID(documentId: documentId, sha256: sha256)
        }
        let transportID = id ?? UUID().uuidString.lowercased()
        let ref = draft.ref ?? (kind == .edoc ? "" : edXML?.responseFor?.documentId ?? "")
        let created = draft.created ?? Date()
        return SignedHeaders(
            id: transportID, kind: kind, from: from, to: to, created: rfc3339(created), createdDate: created,
            contentType: draft.contentType ?? (edXML != nil ? "application/edxml+xml" : contentType(of: draft.fileName)),
            ref: ref, sha256: sha256, signature: "")
    }

    /// The edXML header when the document is declared edXML, or taken for it
    /// (`isTakenForEdXML`) with no content type given. Such a document that cannot be read is
    /// refused with the reader's reason, never signed as another type: `sign --from --to` of
    /// UTF-16 edXML would otherwise go out as `application/xml`, past the relay's From/To check.
    private static func edXMLHeader(of value: [UInt8], draft: DocumentDraft) throws(DocumentSigningError) -> EdXMLHeader? {
        let declared = draft.contentType.map(DocumentVerifier.isEdXML(contentType:))
        if declared == false { return nil }
        guard declared == true || isTakenForEdXML(value, fileName: draft.fileName) else { return nil }
        do {
            return try EdXMLReader.readHeader(value)
        } catch {
            if declared == true {
                throw DocumentSigningError(header: HeaderName.contentType, message: "declared edXML, but \(error)")
            }
            throw DocumentSigningError(
                header: HeaderName.contentType,
                message: "not readable edXML: \(error) (taken for edXML by its \(takenBy(value, fileName: draft.fileName)); "
                    + "give its content type if it is not edXML)")
        }
    }

    /// Whether a document given without a content type is taken for edXML, readable or not: a
    /// file name ending in `.edxml` (any case), or content that looks like it
    /// (`EdXMLReader.looksLikeEdXML`: `<edXML` or `:edXML` in the first 4 KiB, as UTF-8 or
    /// UTF-16). `docrelay sign`/`send` and the agent's spool and HTTP sending decide by this.
    public static func isTakenForEdXML(_ value: [UInt8], fileName: String?) -> Bool {
        hasEdXMLName(fileName) || EdXMLReader.looksLikeEdXML(value)
    }

    private static func hasEdXMLName(_ fileName: String?) -> Bool {
        fileName.map { ($0 as NSString).pathExtension.lowercased() == "edxml" } ?? false
    }

    private static func takenBy(_ value: [UInt8], fileName: String?) -> String {
        hasEdXMLName(fileName) ? "name (.edxml)" : "content (<edXML or :edXML in its first 4 KiB)"
    }

    /// The CN of an RFC 2253 subject, when it is an agency code.
    public static func agencyCode(inSubject subject: String) -> String? {
        var components: [String] = []
        var current = ""
        var escaped = false
        for character in subject {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                components.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        components.append(current)
        guard let commonName = components.first(where: { $0.hasPrefix("CN=") })?.dropFirst(3) else { return nil }
        return (try? AgencyCode(parsing: String(commonName)))?.rawValue
    }

    /// RFC 3339 UTC with seconds, as `dr-created` wants it.
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)  // 2026-11-29T01:02:03Z
    }

    static func contentType(of fileName: String?) -> String {
        switch fileName.map({ ($0 as NSString).pathExtension.lowercased() }) {
        case "pdf": "application/pdf"
        case "json": "application/json"
        case "xml", "edxml": "application/xml"
        case "txt": "text/plain"
        case "zip": "application/zip"
        case "doc": "application/msword"
        case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        default: "application/octet-stream"
        }
    }
}
