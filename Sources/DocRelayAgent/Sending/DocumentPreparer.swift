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

    /// The signed headers of `submission`.
    func prepare(_ submission: DocumentSubmission) throws(SubmissionError) -> SignedHeaders {
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
                headers = try DocumentSigner.sign(submission.value, draft: draft, identity: identity)
                    .headers.map { ($0.name, Optional($0.value)) }
            } catch {
                throw SubmissionError("malformed", field: error.header, error.message)
            }
        }
        let verifier = DocumentVerifier(directory: directory.current, trust: trust.current)
        switch verifier.verify(headers: headers, value: submission.value) {
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
