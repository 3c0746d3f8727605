import DocRelaySigning
import Foundation

/// What a verifier said about one signature: accepted with a signer, rejected with a reason, or
/// revoked with the text that names the revocation (both verifiers must word it alike).
enum Verdict: Equatable, CustomStringConvertible {
    case accepted(fingerprint: String)
    case rejected(SigningError.Reason)
    case revoked(String)

    init(_ verifier: any DetachedSignatureVerifier, _ input: VerificationInput) {
        do {
            let signer = try verifier.verify(
                signature: input.signature, content: input.content, trust: input.trust, at: input.time)
            self = .accepted(fingerprint: signer.fingerprint)
        } catch {
            self = error.reason == .certificateRevoked ? .revoked(error.message) : .rejected(error.reason)
        }
    }

    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    var description: String {
        switch self {
        case let .accepted(fingerprint): "accepted (\(fingerprint.prefix(12))…)"
        case let .rejected(reason): "rejected (\(reason))"
        case let .revoked(text): "revoked (\(text))"
        }
    }
}

/// One verification to make.
struct VerificationInput: CustomStringConvertible {
    var name: String
    var signature: [UInt8]
    var content: [UInt8]
    var trust: TrustStore
    var time: Date

    var description: String { "\(name) at \(time.timeIntervalSince1970)" }
}
