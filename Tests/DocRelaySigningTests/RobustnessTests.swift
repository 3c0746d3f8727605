import DocRelaySigning
import DocRelayTestSupport
import Foundation
import Testing

/// Property-style: thousands of random, mutated and truncated signatures; neither verifier
/// crashes, hangs or accepts one, and each rejection has a reason.
@Suite struct RobustnessTests {
    static func mutants(of signature: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        var inputs: [[UInt8]] = []
        for index in 0..<count {
            var bytes = signature
            switch index % 6 {
            case 0:  // pure noise
                bytes = (0..<Int.random(in: 0...2048, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:  // noise behind a plausible SEQUENCE header
                let length = Int.random(in: 0...1600, using: &random)
                bytes = [0x30, 0x82, UInt8(length >> 8), UInt8(length & 0xFF)]
                    + (0..<Int.random(in: 0...1600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 2:  // a few bytes changed
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 3:  // a length octet changed
                let position = Int.random(in: 1..<bytes.count, using: &random)
                bytes[position] = [0x00, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF].randomElement(using: &random) ?? 0x80
            case 4:  // bytes inserted or removed
                let position = Int.random(in: 0..<bytes.count, using: &random)
                if Bool.random(using: &random) {
                    bytes.insert(contentsOf: (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
                } else {
                    bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &random)))
                }
            default:  // truncated, with or without garbage after
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
                if Bool.random(using: &random) { bytes += [0x00, 0x00, 0x30, 0x80] }
            }
            inputs.append(bytes)
        }
        return inputs
    }

    @Test func thousandsOfMutantsNeverCrashHangOrPass() async throws {
        let pki = TestPKI.shared
        let content = TestPKI.base("robustness")
        let trust = try pki.trust()
        let signatures = [
            try CMSSigner.signDetached(content, identity: pki.agency),
            try CMSSigner.signDetached(content, identity: pki.agencyBelowIntermediate),
            try CMSSigner.signDetached(content, identity: pki.agencyEC),
        ]
        let fast = FastCMSVerifier()
        let reference = OpenSSLCMSVerifier()
        for signature in signatures {
            _ = try fast.verify(signature: signature, content: content, trust: trust, at: TestPKI.now)
        }
        // Thousands of verifications on a thread of their own, not on the cooperative pool.
        let (verified, accepted, elapsed) = try await onOwnThread { () -> (Int, [String], Duration) in
            var verified = 0
            var accepted: [String] = []
            let elapsed = ContinuousClock().measure {
                for (index, signature) in signatures.enumerated() {
                    for mutant in Self.mutants(of: signature, count: 1200, seed: UInt64(index + 1)) where mutant != signature {
                        for verifier in [fast, reference] as [any DetachedSignatureVerifier] {
                            let verdict = Verdict(verifier, VerificationInput(
                                name: "mutant", signature: mutant, content: content, trust: trust, time: TestPKI.now))
                            verified += 1
                            if verdict.isAccepted, mutant.count < signature.count - 32 {
                                accepted.append("\(type(of: verifier)): \(mutant.count) bytes")
                            }
                        }
                    }
                }
            }
            return (verified, accepted, elapsed)
        }
        #expect(verified > 7000)
        // Mutants may still verify (unsigned fields changed, garbage after the end); shortened
        // ones cannot.
        #expect(accepted.isEmpty, "\(accepted.prefix(10))")
        // A hang guard, not a speed test (make bench measures speed): minutes would mean a loop.
        #expect(elapsed < .seconds(120), "\(verified) verifications took \(elapsed)")
    }
}
