import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelaySigning
import Foundation

/// Turns a submission into a signed record ready to publish, and runs on it the relay's own
/// checks (`DocumentVerifier` with this agent's directory and trust), so that what the relay
/// would dead-letter is refused here, at once, with the same reason.
struct DocumentPreparer: Sendable {
    let agency: String
    let identity: SigningIdentity
    let directory: DirectoryStore
    let trust: TrustSource

    init(agency: String, identity: SigningIdentity, directory: DirectoryStore, trust: TrustSource) {
        self.agency = agency
        self.identity = identity
        self.directory = directory
        self.trust = trust
    }

    /// The largest document this agency may send: its home hub's `max-document-bytes` in the
    /// directory (contract, "Large documents"), read at each submission so a reloaded directory counts.
    var maxDocumentBytes: Int {
        let current = directory.current
        return current.agency(named: agency).flatMap { current.homeHub(of: $0.code) }?.maxDocumentBytes ?? Hub.defaultMaxDocumentBytes
    }

    /// Why a document of `size` bytes is not taken, or nil when it may be sent.
    func sizeRefusal(_ size: Int) -> SubmissionError? {
        let limit = maxDocumentBytes
        guard size > limit else { return nil }
        return SubmissionError(
            "oversize", field: nil,
            "\(size) bytes, over the limit of \(limit) bytes (max-document-bytes of this agency's home hub in the directory)")
    }

    /// The limits documents are signed and checked with: one record's as everywhere, the
    /// document's the home hub's.
    var limits: EnvelopeLimits { EnvelopeLimits(maxDocumentBytes: maxDocumentBytes) }

    /// The signed headers of `submission`. A document over one record's value limit is checked
    /// as its first segment will be read (`segments: true`), and its digest over the whole value.
    func prepare(_ submission: DocumentSubmission) throws(SubmissionError) -> SignedHeaders {
        if let refusal = sizeRefusal(submission.value.count) { throw refusal }
        let limits = self.limits
        let headers: [(name: String, value: [UInt8]?)]
        switch submission.metadata {
        case .signed(let given):
            headers = given
        case .unsigned(let id, let kind, let to, let ref, let contentType):
            if let to {
                for code in to where directory.current.agency(named: code) == nil {
                    guard (try? AgencyCode.qcvn(code)) != nil else {
                        throw SubmissionError(
                            "malformed", field: "to",
                            "'\(code)' is not a QCVN 102 code (AAA.BB.CC.Xnn) nor an identifier declared in the directory")
                    }
                    throw SubmissionError("recipient", field: "to", "\(code) is not an agency of the directory")
                }
            }
            let draft = DocumentDraft(
                id: id, kind: kind, from: agency, to: to, ref: ref, contentType: contentType, fileName: submission.fileName)
            do {
                headers = try DocumentSigner.sign(submission.value, draft: draft, identity: identity, limits: limits)
                    .headers.map { ($0.name, Optional($0.value)) }
            } catch {
                throw SubmissionError("malformed", field: error.header, error.message)
            }
        }
        let verifier = DocumentVerifier(directory: directory.current, trust: trust.current, limits: limits)
        let segmentation = DocumentSegmentation(maxValueBytes: limits.maxValueBytes)
        let size = submission.value.count
        let verdict: Result<VerifiedDocument, Rejection>
        if segmentation.isSegmented(size: size), let first = segmentation.segments(size: size).first {
            // Checked as the relay reads the first segment; the digest over the whole value here
            // (headers given by the client are not trusted to match the bytes).
            let firstBytes = Array(submission.value[segmentation.ranges(size: size)[0]])
            verdict = verifier.verify(
                headers: headers + first.headers.map { ($0.name, Optional($0.value)) }, value: firstBytes, segments: true)
            if case .success(let document) = verdict, case .signed = submission.metadata {
                // Headers signed elsewhere: the digest and the whole edXML are checked here, as the
                // recipients will (signed here, the signer hashed and read these very bytes).
                let signed = document.envelope.signed
                let digest = SHA256Hex.of(submission.value)
                guard digest == signed.sha256 else {
                    throw SubmissionError(
                        "signature", field: HeaderName.sha256, "the value's SHA-256 is \(digest), not the signed \(signed.sha256)")
                }
                if DocumentVerifier.isEdXML(contentType: signed.contentType) {
                    do {
                        try EdXMLConsistency.check(EdXMLReader.readHeader(submission.value), from: signed.from, to: signed.to)
                    } catch {
                        throw SubmissionError("malformed", field: HeaderName.contentType, "\(error)")
                    }
                }
            }
        } else {
            verdict = verifier.verify(headers: headers, value: submission.value)
        }
        switch verdict {
        case .failure(let rejection):
            throw SubmissionError(rejection.errorClass.rawValue, field: nil, rejection.reason)
        case .success(let document):
            let signed = document.envelope.signed
            guard signed.from == agency else {
                throw SubmissionError("sender", field: HeaderName.from, "this agent sends for \(agency), not for \(signed.from)")
            }
            return signed
        }
    }
}
