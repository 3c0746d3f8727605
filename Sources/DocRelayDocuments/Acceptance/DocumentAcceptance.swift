public import Foundation

/// How the time of a verified record was judged (`VerifiedDocument.acceptance`).
public enum DocumentAcceptance: Sendable, Hashable {
    /// Judged here for the first time, against `AcceptanceRules` at `at` (the verifier's now):
    /// a relay adds its own `HubAcceptance` before passing the record on.
    case firstHere(at: Date)
    /// Accepted before by hub `hubID` at `at`, whose signed acceptance verified: its verdict on
    /// time and revocation stands (the document was verified at `dr-created` without CRLs).
    case attested(hubID: String, at: Date)
    /// A record signed by a hub (an ack): its `dr-created` is that hub's own clock, and it is
    /// judged at it, with the hub's revocation checked.
    case fromHub
    /// Judged at `dr-created` only, without `AcceptanceRules` (an offline check, or a recipient
    /// reading a record no hub attested).
    case atCreation
}
