public import DocRelayCore
public import DocRelaySigning
public import Foundation

/// The contract's checks on one record, in an order that establishes the sender's
/// authenticity first, so that a refusal knows whether the sender may be told:
///
/// 1. headers decode strictly, sizes within limits (`malformed`, `oversize`);
/// 2. the signature verifies over the signature base, its certificate chaining to the hub's
///    anchors and valid at `dr-created` (`signature`, sender not authentic);
/// 3. that certificate is bound to `dr-from` in the directory (`sender`, not authentic);
/// 4. the record's time (`signature`, authentic), see below;
/// 5. the value matches its signed digest (`signature`, authentic);
/// 6. every recipient is known (`recipient`, authentic);
/// 7. for edXML, the MessageHeader's From and To agree with the headers (`malformed`, authentic).
///
/// Time (contract, "Trusted time"): a record carrying a `HubAcceptance` that verifies (the
/// hub's signature over it, the hub's certificate bound to `hub:<id>` and valid at the
/// acceptance, no later than now plus the skew) keeps that hub's verdict: its signature is
/// checked at `dr-created` without CRLs, and `rules` are not applied again. Any other record is
/// judged at `dr-created` with the CRLs and, when `rules` are given (a relay), against `now`
/// as `AcceptanceRules` says; a hub's own record (an ack) only for the future skew.
///
/// A refusal decided before the value is read (step 1: the value over its limit, too many
/// recipients, headers over their total, a relay header malformed) still runs steps 2 and 3
/// when the signed headers decode without those limits (`Envelope.decodeSigned`), so that it
/// carries `authenticSender` when they hold, and none when they do not: a forged record earns
/// no ack to anyone.
///
/// Without a directory (an offline check, `docrelay verify` without `--directory`), steps 3
/// and 6 are skipped and `skippedChecks` says so; a `HubAcceptance` cannot be bound then and
/// is ignored.
public struct DocumentVerifier: Sendable {
    public let directory: Directory?
    public let trust: TrustStore
    public let signatures: any DetachedSignatureVerifier
    public let limits: EnvelopeLimits
    /// How a first acceptance judges time; nil: records are judged at `dr-created` only.
    public let rules: AcceptanceRules?

    public init(
        directory: Directory?, trust: TrustStore,
        signatures: any DetachedSignatureVerifier = FastCMSVerifier(),
        limits: EnvelopeLimits = EnvelopeLimits(), rules: AcceptanceRules? = nil
    ) {
        self.directory = directory
        self.trust = trust
        self.signatures = signatures
        self.limits = limits
        self.rules = rules
    }

    /// Checks one record: its headers (name, value) and its value. The headers are decoded once;
    /// a rejection carries them in `Rejection.signed` when they decoded (also when the record
    /// was refused at step 1 but its signed headers read: `Envelope.decodeSigned`), so that the
    /// caller need not read them again.
    /// `now`: the verifier's clock, what `rules` and a `HubAcceptance`'s time are judged against.
    ///
    /// Segments (`dr-segment`, contract "Large documents"): without `segments`, a segment is
    /// refused as `malformed` (the caller reads whole documents only). With it, a segment passes
    /// steps 1 to 4 and 6 like a whole record; step 5 is left to whoever assembles the document
    /// (`SegmentAssembly`: the whole value's digest and size), and step 7 reads the first
    /// segment's bytes as the beginning of the edXML (`EdXMLReader.readHeader(prefix:)`).
    public func verify(
        headers: [(name: String, value: [UInt8]?)], value: [UInt8], now: Date = Date(), segments: Bool = false
    ) -> Result<VerifiedDocument, Rejection> {
        Result { () throws(Rejection) -> VerifiedDocument in
            let envelope = try decode(headers: headers, value: value, now: now)
            do throws(Rejection) {
                if let segment = envelope.relay.segment, !segments {
                    throw Rejection(
                        .malformed,
                        "dr-segment: \(segment) of a document sent in segments; this reader takes whole documents only",
                        authenticSender: (try? authenticate(envelope, now: now))?.authentic)
                }
                return try check(envelope, value: value, now: now)
            } catch {
                var rejection = error
                rejection.signed = envelope.signed
                throw rejection
            }
        }
    }

    /// Steps 1 to 3 without the value, for a record whose value is not at hand (a dead letter's,
    /// cut when it was dead-lettered): the signed headers as `Envelope.decodeSigned` reads them,
    /// the signature over the base, the certificate bound to `dr-from`. What that establishes,
    /// or why not; the value's digest, recipients, edXML and time are not checked.
    public func authenticate(
        headers: [(name: String, value: [UInt8]?)], now: Date = Date()
    ) -> Result<SenderAuthentication, Rejection> {
        Result { () throws(Rejection) -> SenderAuthentication in
            let envelope: Envelope
            do throws(EnvelopeError) {
                envelope = try Envelope.decodeSigned(headers: headers, limits: limits)
            } catch {
                throw Rejection(Self.errorClass(of: error), error.description)
            }
            do throws(Rejection) {
                return try authenticate(envelope, now: now)
            } catch {
                var rejection = error
                rejection.signed = envelope.signed
                throw rejection
            }
        }
    }

    /// 1. Headers and sizes. A refusal here still authenticates the sender when the signed
    /// headers decode without the limits that refused the record (steps 2 and 3, the same code).
    private func decode(headers: [(name: String, value: [UInt8]?)], value: [UInt8], now: Date) throws(Rejection) -> Envelope {
        do {
            return try Envelope.decode(headers: headers, valueLength: value.count, limits: limits)
        } catch {
            let envelope = try? Envelope.decodeSigned(headers: headers, limits: limits)
            let authentic = envelope.flatMap { envelope in
                (try? authenticate(envelope, now: now))?.authentic
            }
            throw Rejection(Self.errorClass(of: error), error.description, authenticSender: authentic, signed: envelope?.signed)
        }
    }

    /// The contract's class of a refusal at decoding: `oversize`, `signature` for a missing or
    /// unreadable signature ("bad or missing signature"), else `malformed`.
    private static func errorClass(of error: EnvelopeError) -> ErrorClass {
        error.failure == .oversize ? .oversize : error.header == HeaderName.signature ? .signature : .malformed
    }

    /// 2 and 3, on headers that decoded: the signature over the base, its certificate's chain
    /// and validity at `dr-created` (without the CRLs when a hub accepted the record before: its
    /// verdict stands), and that certificate bound to `dr-from` (an agency, or a hub for its acks).
    private func authenticate(_ envelope: Envelope, now: Date) throws(Rejection) -> SenderAuthentication {
        let signed = envelope.signed
        let sender = try senderAgency(signed.from)

        // 2. The signature.
        let signatureBytes: [UInt8]
        do {
            signatureBytes = try signed.signatureBytes()
        } catch {
            throw Rejection(.signature, error.description)
        }
        var ignoredAcceptance: String?
        var attested: (hubID: String, at: Date)?
        if let acceptance = envelope.relay.acceptance, signed.hubSender == nil {
            switch verifyAcceptance(acceptance, of: signed, signatureBytes: signatureBytes, now: now) {
            case .success(let hub): attested = hub
            case .failure(let ignored): ignoredAcceptance = ignored.reason
            }
        }
        let signer: VerifiedSigner
        do {
            signer = try signatures.verify(
                signature: signatureBytes, content: signed.signatureBase,
                trust: attested == nil ? trust : trust.withoutRevocation, at: signed.createdDate)
        } catch {
            throw Rejection(.signature, "dr-signature: \(error.message)")
        }

        // 3. The certificate is bound to dr-from.
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
        return SenderAuthentication(
            signed: signed, signer: signer, sender: directory == nil ? nil : sender, authentic: authentic,
            signatureBytes: signatureBytes, attested: attested, ignoredAcceptance: ignoredAcceptance)
    }

    /// 2 to 7, on headers that decoded.
    private func check(_ envelope: Envelope, value: [UInt8], now: Date) throws(Rejection) -> VerifiedDocument {
        let signed = envelope.signed
        // 2 and 3.
        let authentication = try authenticate(envelope, now: now)
        let authentic = authentication.authentic
        let attested = authentication.attested

        // 4. The record's time.
        let acceptance: DocumentAcceptance
        if let attested {
            acceptance = .attested(hubID: attested.hubID, at: attested.at)
        } else if let rules {
            try judgeTime(
                signed, signatureBytes: authentication.signatureBytes, rules: rules, now: now, authentic: authentic)
            acceptance = signed.hubSender == nil ? .firstHere(at: now) : .fromHub
        } else {
            acceptance = signed.hubSender == nil ? .atCreation : .fromHub
        }

        // 5. The value matches the signed digest (a segment's: once the document is assembled).
        let segment = envelope.relay.segment
        let digest = segment == nil ? SHA256Hex.of(value) : signed.sha256
        guard digest == signed.sha256 else {
            throw Rejection(
                .signature, "dr-sha256: the value's SHA-256 is \(digest), not the signed \(signed.sha256)",
                authenticSender: authentic)
        }

        // 6. Every recipient is known.
        var recipients: [Agency] = []
        if let directory {
            for code in signed.to {
                guard let agency = directory.agency(named: code) else {
                    throw Rejection(.recipient, "dr-to: \(code) is not an agency of the directory", authenticSender: authentic)
                }
                recipients.append(agency)
            }
        }

        // 7. edXML agrees with the headers.
        var edXML: EdXMLHeader?
        if Self.isEdXML(contentType: signed.contentType), segment?.isFirst ?? true {
            do {
                let header = segment == nil ? try EdXMLReader.readHeader(value) : try EdXMLReader.readHeader(prefix: value)
                try EdXMLConsistency.check(header, from: signed.from, to: signed.to)
                edXML = header
            } catch {
                throw Rejection(.malformed, "edXML: \(error)", authenticSender: authentic)
            }
        }
        return VerifiedDocument(
            envelope: envelope, signer: authentication.signer, sender: authentication.sender, recipients: recipients,
            edXML: edXML, acceptance: acceptance, ignoredAcceptance: authentication.ignoredAcceptance)
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
