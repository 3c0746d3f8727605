import DocRelaySigning
import Foundation

/// The workload of `docrelay-bench verify`: documents of the contract's form (a detached
/// CMS signature, RSA-2048, SHA-256, the signer's certificate embedded) from one agency
/// certificate under a development root, verified one after another on one thread.
struct VerificationBench {
    let trust: TrustStore
    /// Contents and their signatures; verifications cycle through them.
    let documents: [(content: [UInt8], signature: [UInt8])]
    /// The verification time (the records' `dr-created`).
    let time: Date

    init(contentSize: Int, documents count: Int) throws {
        let now = Date()
        let year: TimeInterval = 365 * 86_400
        let rootKey = try PrivateKey.generate(.rsa(bits: 2048))
        let root = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Bench Root", organization: "DocRelay", key: rootKey,
            validFrom: now.addingTimeInterval(-year), validFor: 10 * year)
        let key = try PrivateKey.generate(.rsa(bits: 2048))
        let certificate = try DevelopmentPKI.issue(
            commonName: "000.00.00.G22", organization: "Văn phòng Chính phủ", subjectKey: key, issuer: root,
            issuerKey: rootKey, validFrom: now.addingTimeInterval(-year), validFor: 2 * year)
        let identity = try SigningIdentity(certificate: certificate, key: key)
        var generator = SystemRandomNumberGenerator()
        documents = try (0..<count).map { _ in
            let content = (0..<contentSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return (content, try CMSSigner.signDetached(content, identity: identity))
        }
        trust = try TrustStore(anchors: [root])
        time = now
    }

    /// Verifications per second of `verifier` on this thread over about `seconds`, after a
    /// warm-up (every document once, then a quarter of the time); every one must succeed.
    func measure(_ verifier: any DetachedSignatureVerifier, seconds: Double) throws -> Double {
        let clock = ContinuousClock()
        let warmUp = clock.now.advanced(by: .milliseconds(Int(seconds * 250)))
        repeat {
            try verifyAll(verifier)
        } while clock.now < warmUp
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        var verified = 0
        repeat {
            try verifyAll(verifier)
            verified += documents.count
        } while clock.now < deadline
        let elapsed = start.duration(to: clock.now)
        let (whole, fraction) = elapsed.components
        return Double(verified) / (Double(whole) + Double(fraction) / 1e18)
    }

    private func verifyAll(_ verifier: any DetachedSignatureVerifier) throws {
        for document in documents {
            do {
                _ = try verifier.verify(signature: document.signature, content: document.content, trust: trust, at: time)
            } catch {
                throw BenchFailure("\(type(of: verifier)) refused a valid signature: \(error)")
            }
        }
    }
}
