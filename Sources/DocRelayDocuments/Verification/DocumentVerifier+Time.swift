import DocRelayCore
import DocRelaySigning
import Foundation

extension DocumentVerifier {
    /// `AcceptanceRules` on a record no hub attested, once its signature verified at
    /// `dr-created` and its sender is bound (so the refusal names an authentic sender). A hub's
    /// own record (an ack) is held only to the future skew.
    func judgeTime(
        _ signed: SignedHeaders, signatureBytes: [UInt8], rules: AcceptanceRules, now: Date, authentic: AgencyCode?
    ) throws(Rejection) {
        let skew = AcceptanceRules.seconds(rules.maxSkew)
        let ahead = signed.createdDate.timeIntervalSince(now)
        let clock = RFC3339.format(now)
        guard ahead <= skew else {
            throw Rejection(
                .signature,
                "dr-created \(signed.created) is \(DurationText.format(seconds: ahead)) ahead of this hub's clock (\(clock)); "
                    + "at most \(DurationText.format(seconds: skew)) is allowed (acceptance.max-skew)",
                authenticSender: authentic)
        }
        guard signed.hubSender == nil else { return }
        let maxAge = AcceptanceRules.seconds(rules.maxAge)
        guard -ahead <= maxAge else {
            throw Rejection(
                .signature,
                "dr-created \(signed.created) is \(DurationText.format(seconds: -ahead)) old at its first acceptance "
                    + "(this hub's clock: \(clock)); at most \(DurationText.format(seconds: maxAge)) is accepted (acceptance.max-age)",
                authenticSender: authentic)
        }
        // The certificate must still be valid when the hub accepts, allowing the skew: a key
        // whose certificate expired cannot sign "in the past" (dr-created is its own claim).
        let acceptance = now.addingTimeInterval(-skew)
        guard signed.createdDate < acceptance else { return }
        do {
            _ = try signatures.verify(signature: signatureBytes, content: signed.signatureBase, trust: trust, at: acceptance)
        } catch {
            throw Rejection(
                .signature,
                "dr-signature: the signer's certificate is not valid at this hub's acceptance (\(clock), "
                    + "less \(DurationText.format(seconds: skew)) of acceptance.max-skew): \(error.message)",
                authenticSender: authentic)
        }
    }

    /// Whether `acceptance` is a hub's valid statement about this record: a hub of the
    /// directory, bound to the certificate that signed the acceptance base, valid at the
    /// acceptance's time, which is no later than `now` plus the skew and not before
    /// `dr-created` less the skew. The hub and time on success; why it is ignored otherwise.
    func verifyAcceptance(
        _ acceptance: HubAcceptance, of signed: SignedHeaders, signatureBytes: [UInt8], now: Date
    ) -> Result<(hubID: String, at: Date), AcceptanceIgnored> {
        let name = "\(HeaderName.accepted) \(acceptance.accepted)"
        guard let directory else { return .failure(AcceptanceIgnored("\(name): no directory to bind the hub")) }
        guard directory.hub(id: acceptance.hubID) != nil else {
            return .failure(AcceptanceIgnored("\(name): \(acceptance.hubID) is not a hub of the directory"))
        }
        let skew = AcceptanceRules.seconds(rules?.maxSkew ?? AcceptanceRules().maxSkew)
        guard acceptance.atDate.timeIntervalSince(now) <= skew else {
            return .failure(AcceptanceIgnored("\(name): after this hub's clock (\(RFC3339.format(now)))"))
        }
        guard signed.createdDate.timeIntervalSince(acceptance.atDate) <= skew else {
            return .failure(AcceptanceIgnored("\(name): before dr-created \(signed.created)"))
        }
        let hubSigner: VerifiedSigner
        do {
            let base = HubAcceptance.base(
                hubID: acceptance.hubID, at: acceptance.at, documentID: signed.id,
                signatureSHA256: SHA256Hex.of(signatureBytes))
            hubSigner = try signatures.verify(
                signature: try acceptance.signatureBytes(), content: base, trust: trust, at: acceptance.atDate)
        } catch let error as SigningError {
            return .failure(AcceptanceIgnored("\(HeaderName.acceptedSignature): \(error.message)"))
        } catch {
            return .failure(AcceptanceIgnored("\(HeaderName.acceptedSignature): \(error)"))
        }
        guard directory.isBound(
            hubID: acceptance.hubID, fingerprint: hubSigner.fingerprint, subject: hubSigner.subject, issuer: hubSigner.issuer)
        else {
            return .failure(AcceptanceIgnored(
                "\(HeaderName.acceptedSignature): the certificate \(hubSigner.subject) is not bound to hub:\(acceptance.hubID)"))
        }
        return .success((acceptance.hubID, acceptance.atDate))
    }
}

/// Why a record's `HubAcceptance` was not taken: the record is then judged as if it had none.
struct AcceptanceIgnored: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
