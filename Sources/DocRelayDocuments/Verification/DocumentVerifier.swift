public import DocRelayCore
public import DocRelaySigning
import Foundation

/// The contract's checks on one record, in an order that establishes the sender's
/// authenticity first, so that a refusal knows whether the sender may be told:
///
/// 1. headers decode strictly, sizes within limits (`malformed`, `oversize`);
/// 2. the signature verifies over the signature base, its certificate chaining to the hub's
///    anchors and valid at `dr-created` (`signature`, sender not authentic);
/// 3. that certificate is bound to `dr-from` in the directory (`sender`, not authentic);
/// 4. the value matches its signed digest (`signature`, authentic);
/// 5. every recipient is known (`recipient`, authentic);
/// 6. for edXML, the MessageHeader's From and To agree with the headers (`malformed`, authentic).
///
/// Without a directory (an offline check, `docrelay verify` without `--directory`), steps 3
/// and 5 are skipped and `skippedChecks` says so.
public struct DocumentVerifier: Sendable {
    public let directory: Directory?
    public let trust: TrustStore
    public let signatures: any DetachedSignatureVerifier
    public let limits: EnvelopeLimits

    public init(
        directory: Directory?, trust: TrustStore,
        signatures: any DetachedSignatureVerifier = FastCMSVerifier(),
        limits: EnvelopeLimits = EnvelopeLimits()
    ) {
        self.directory = directory
        self.trust = trust
        self.signatures = signatures
        self.limits = limits
    }

    /// Checks one record: its headers (name, value) and its value. The headers are decoded once;
    /// a rejection carries them in `Rejection.signed` when they decoded (also when only the
    /// value was over its limit), so that the caller need not read them again.
    public func verify(headers: [(name: String, value: [UInt8]?)], value: [UInt8]) -> Result<VerifiedDocument, Rejection> {
        Result { () throws(Rejection) -> VerifiedDocument in
            let envelope = try decode(headers: headers, value: value)
            do throws(Rejection) {
                return try check(envelope, value: value)
            } catch {
                var rejection = error
                rejection.signed = envelope.signed
                throw rejection
            }
        }
    }

    /// 1. Headers and sizes.
    private func decode(headers: [(name: String, value: [UInt8]?)], value: [UInt8]) throws(Rejection) -> Envelope {
        do {
            return try Envelope.decode(headers: headers, valueLength: value.count, limits: limits)
        } catch {
            // A missing or unreadable signature is the contract's "bad or missing signature".
            let errorClass: ErrorClass =
                error.failure == .oversize ? .oversize : error.header == HeaderName.signature ? .signature : .malformed
            // A value over its limit is refused before any header is read: read them now, without
            // it, so that the refusal still names the document.
            let signed = value.count > limits.maxValueBytes
                ? (try? Envelope.decode(headers: headers, valueLength: 0, limits: limits))?.signed : nil
            throw Rejection(errorClass, error.description, signed: signed)
        }
    }

    /// 2 to 6, on headers that decoded.
    private func check(_ envelope: Envelope, value: [UInt8]) throws(Rejection) -> VerifiedDocument {
        let signed = envelope.signed
        let sender = try senderAgency(signed.from)

        // 2. The signature over the base, the certificate's chain and validity at dr-created.
        let signatureBytes: [UInt8]
        do {
            signatureBytes = try signed.signatureBytes()
        } catch {
            throw Rejection(.signature, error.description)
        }
        let signer: VerifiedSigner
        do {
            signer = try signatures.verify(
                signature: signatureBytes, content: signed.signatureBase, trust: trust, at: signed.createdDate)
        } catch {
            throw Rejection(.signature, "dr-signature: \(error.message)")
        }

        // 3. The certificate is bound to dr-from (an agency, or a hub for its acks).
        var authentic: AgencyCode?
        if let directory, let hubID = signed.hubSender {
            guard directory.isBound(
                hubID: hubID, fingerprint: signer.fingerprint, subject: signer.subject, issuer: signer.issuer) else {
                throw Rejection(
                    .sender,
                    "the certificate \(signer.subject) (SHA-256 \(signer.fingerprint)) is not bound to \(signed.from) in the directory")
            }
        } else if let directory {
            guard let sender,
                  directory.isBound(
                      sender.code, fingerprint: signer.fingerprint, subject: signer.subject, issuer: signer.issuer)
            else {
                throw Rejection(
                    .sender,
                    "the certificate \(signer.subject) (SHA-256 \(signer.fingerprint)) is not bound to \(signed.from) in the directory")
            }
            authentic = sender.code
        }

        // 4. The value matches the signed digest.
        let digest = SHA256Hex.of(value)
        guard digest == signed.sha256 else {
            throw Rejection(
                .signature, "dr-sha256: the value's SHA-256 is \(digest), not the signed \(signed.sha256)",
                authenticSender: authentic)
        }

        // 5. Every recipient is known.
        var recipients: [Agency] = []
        if let directory {
            for code in signed.to {
                guard let agency = directory.agency(named: code) else {
                    throw Rejection(.recipient, "dr-to: \(code) is not an agency of the directory", authenticSender: authentic)
                }
                recipients.append(agency)
            }
        }

        // 6. edXML agrees with the headers.
        var edXML: EdXMLHeader?
        if Self.isEdXML(contentType: signed.contentType) {
            do {
                let header = try EdXMLReader.readHeader(value)
                try EdXMLConsistency.check(header, from: signed.from, to: signed.to)
                edXML = header
            } catch {
                throw Rejection(.malformed, "edXML: \(error)", authenticSender: authentic)
            }
        }
        return VerifiedDocument(
            envelope: envelope, signer: signer, sender: directory == nil ? nil : sender, recipients: recipients,
            edXML: edXML)
    }

    /// Checks this verifier leaves out (without a directory: the sender binding and recipients).
    public var skippedChecks: [String] {
        directory == nil ? ["certificate bound to dr-from", "recipients known"] : []
    }

    /// The sending agency, or nil when its code is well formed but not in the directory (the
    /// certificate then cannot be bound: `sender`). A non-QCVN code not declared is malformed.
    private func senderAgency(_ from: String) throws(Rejection) -> Agency? {
        guard let directory else { return nil }
        if let agency = directory.agency(named: from) { return agency }
        if (try? AgencyCode.qcvn(from)) == nil, !from.hasPrefix("hub:") {
            throw Rejection(.malformed, "dr-from: \(from) is not a QCVN 102 code nor an identifier declared in the directory")
        }
        return nil
    }

    /// `application/edxml+xml`, or any XML type whose name says edXML.
    package static func isEdXML(contentType: String) -> Bool {
        let type = contentType.lowercased().split(separator: ";").first.map(String.init) ?? ""
        return type.trimmingCharacters(in: .whitespaces) == "application/edxml+xml"
    }
}
