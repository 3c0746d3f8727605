import DocRelaySigning
import Foundation

/// Signatures for the differential tests, made both by `CMSSigner` and by the `openssl`
/// command line in every form it offers, and variants of them: re-encoded, tampered, truncated.
struct DifferentialCorpus {
    let pki = TestPKI.shared
    let content = TestPKI.base("differential")
    let folder: TemporaryFolder
    let agencyFiles: IdentityFiles
    let ecFiles: IdentityFiles
    let belowFiles: IdentityFiles
    let rootFile: String
    let intermediateFile: String

    init() throws {
        folder = try TemporaryFolder()
        agencyFiles = try IdentityFiles(pki.agency, in: folder, name: "agency")
        ecFiles = try IdentityFiles(pki.agencyEC, in: folder, name: "agency-ec")
        belowFiles = try IdentityFiles(pki.agencyBelowIntermediate, in: folder, name: "below")
        rootFile = try folder.write("root.pem", pki.root.pem)
        intermediateFile = try folder.write("intermediate.pem", pki.intermediate.pem)
    }

    /// Valid signatures of `content`, each named for how it was made.
    func validSignatures() async throws -> [(String, [UInt8])] {
        var signatures: [(String, [UInt8])] = [
            ("CMSSigner RSA PKCS#1", try CMSSigner.signDetached(content, identity: pki.agency)),
            ("CMSSigner RSA-PSS", try CMSSigner.signDetached(content, identity: pki.agency, scheme: .rsaPSS)),
            ("CMSSigner ECDSA", try CMSSigner.signDetached(content, identity: pki.agencyEC)),
            ("CMSSigner below an intermediate", try CMSSigner.signDetached(content, identity: pki.agencyBelowIntermediate)),
        ]
        guard OpenSSLCLI.isAvailable else { return signatures }
        let cli: [(String, IdentityFiles, [String])] = [
            ("openssl contract form", agencyFiles, []),
            ("openssl -keyid", agencyFiles, ["-keyid"]),
            ("openssl -nosmimecap", agencyFiles, ["-nosmimecap"]),
            ("openssl -noattr", agencyFiles, ["-noattr"]),
            ("openssl PSS default salt", agencyFiles, ["-keyopt", "rsa_padding_mode:pss"]),
            ("openssl PSS salt 32", agencyFiles, ["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:32"]),
            ("openssl ECDSA", ecFiles, []),
            ("openssl -certfile root", agencyFiles, ["-certfile", rootFile]),
            ("openssl chain via -certfile", belowFiles, ["-certfile", intermediateFile]),
            ("openssl below intermediate without it", belowFiles, []),
            ("openssl -nocerts", agencyFiles, ["-nocerts"]),
            ("openssl -stream (BER)", agencyFiles, ["-stream"]),
            ("openssl -md sha384", agencyFiles, ["-md", "sha384"]),
            ("openssl -md sha1", agencyFiles, ["-md", "sha1"]),
            ("openssl -nodetach", agencyFiles, ["-nodetach"]),
            ("openssl two signers", agencyFiles, ["-signer", ecFiles.certificate, "-inkey", ecFiles.key]),
        ]
        for (name, files, extra) in cli {
            signatures.append((name, try await OpenSSLCLI.sign(content, identity: files, extra: extra)))
        }
        return signatures
    }

    /// Re-encodings of a DER signature that OpenSSL may judge differently from the original.
    func reencodings(of signature: [UInt8], signedBy signer: Certificate) throws -> [(String, [UInt8])] {
        let tree = try TestDER.parse(signature)
        var variants: [(String, [UInt8])] = []
        for depth in 1...6 {
            variants.append(("BER indefinite to depth \(depth)", tree.ber(indefiniteDepth: depth)))
        }
        variants.append(("trailing zero bytes", signature + [0, 0]))
        variants.append(("trailing garbage", signature + [0x30, 0x03, 0x02, 0x01, 0x01]))
        variants.append(("non-minimal outer length", Self.longFormOuterLength(signature)))

        let certificates = tree[CMSPath.certificates]
        var reordered = tree
        reordered[CMSPath.certificates] = .constructed(certificates.tag, certificates.children.reversed())
        variants.append(("certificates reversed", reordered.der))
        for (name, extra) in [("stranger root", pki.strangerRoot), ("root", pki.root), ("signer again", signer),
                              ("intermediate", pki.intermediate)] {
            var added = tree
            let extraDER = try TestDER.parse(extra.der)
            added[CMSPath.certificates] = .constructed(certificates.tag, certificates.children + [extraDER])
            variants.append(("extra certificate: \(name)", added.der))
            var first = tree
            first[CMSPath.certificates] = .constructed(certificates.tag, [extraDER] + certificates.children)
            variants.append(("extra certificate first: \(name)", first.der))
        }
        var withoutCertificates = tree
        withoutCertificates[CMSPath.signedData] = .constructed(
            0x30, tree[CMSPath.signedData].children.enumerated().filter { $0.offset != 3 }.map(\.element))
        variants.append(("no certificates field", withoutCertificates.der))

        let attributes = tree[CMSPath.signedAttributes]
        if attributes.children.count >= 2 {
            var unsorted = tree
            unsorted[CMSPath.signedAttributes] = .constructed(attributes.tag, attributes.children.reversed())
            variants.append(("signed attributes unsorted", unsorted.der))
        }
        var asSet = tree
        asSet[CMSPath.signedAttributes] = .constructed(0x31, attributes.children)
        variants.append(("signed attributes tagged SET", asSet.der))

        let sha256WithRSA: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]
        let sha1WithRSA: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05]
        let ecdsaSHA256: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        for (name, oid, parameters) in [
            ("sha256WithRSAEncryption", sha256WithRSA, [TestDER.primitive(0x05, [])]),
            ("sha256WithRSAEncryption without NULL", sha256WithRSA, []),
            ("sha1WithRSAEncryption", sha1WithRSA, [TestDER.primitive(0x05, [])]),
            ("ecdsa-with-SHA256", ecdsaSHA256, []),
            ("ecdsa-with-SHA256 with NULL", ecdsaSHA256, [TestDER.primitive(0x05, [])]),
        ] {
            var changed = tree
            changed[CMSPath.signatureAlgorithm] = .constructed(0x30, [.primitive(0x06, oid)] + parameters)
            variants.append(("signature algorithm \(name)", changed.der))
        }
        for (name, path) in [("digest algorithms", CMSPath.digestAlgorithms + [0]), ("signer digest", CMSPath.signerDigestAlgorithm)] {
            var withoutNull = tree
            withoutNull[path] = .constructed(0x30, [tree[path].children[0]])
            variants.append(("\(name) without NULL", withoutNull.der))
            var sha384 = tree
            sha384[path] = .constructed(0x30, [.primitive(0x06, [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02])])
            variants.append(("\(name) SHA-384", sha384.der))
        }
        var otherContentType = tree
        otherContentType[CMSPath.encapsulatedContent] = .constructed(
            0x30, [.primitive(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x04])])
        variants.append(("eContentType TSTInfo", otherContentType.der))
        var version = tree
        version[CMSPath.signedData + [0]] = .primitive(0x02, [0x04])
        variants.append(("SignedData version 4", version.der))
        var unsigned = tree
        unsigned[CMSPath.firstSignerInfo] = .constructed(
            0x30, tree[CMSPath.firstSignerInfo].children + [.constructed(0xA1, [
                .constructed(0x30, [.primitive(0x06, [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]),
                                    .constructed(0x31, [.primitive(0x17, Array("260101000000Z".utf8))])]),
            ])])
        variants.append(("unsigned attribute added", unsigned.der))
        var twoSigners = tree
        twoSigners[CMSPath.signerInfos] = .constructed(
            0x31, [tree[CMSPath.firstSignerInfo], tree[CMSPath.firstSignerInfo]])
        variants.append(("signer info twice", twoSigners.der))
        var noSigners = tree
        noSigners[CMSPath.signerInfos] = .constructed(0x31, [])
        variants.append(("no signer infos", noSigners.der))
        var wrongSerial = tree
        if case .constructed(0x30, var parts) = tree[CMSPath.signerIdentifier], parts.count == 2,
           case .primitive(0x02, var serial) = parts[1], let last = serial.indices.last {
            serial[last] ^= 0x01
            parts[1] = .primitive(0x02, serial)
            wrongSerial[CMSPath.signerIdentifier] = .constructed(0x30, parts)
            variants.append(("signer serial changed", wrongSerial.der))
        }
        return variants
    }

    /// The same DER with the outermost length in a longer form than needed.
    static func longFormOuterLength(_ der: [UInt8]) -> [UInt8] {
        guard der.count > 4, der[1] == 0x82 else { return der }
        return [der[0], 0x83, 0x00, der[2], der[3]] + der[4...]
    }

    /// Copies of `signature` with one byte changed at every position (or every `stride`-th).
    static func byteFlips(of signature: [UInt8], stride step: Int = 1) -> [(String, [UInt8])] {
        stride(from: 0, to: signature.count, by: step).map { position in
            var changed = signature
            changed[position] ^= 0x01
            return ("byte \(position) flipped", changed)
        }
    }

    /// Every proper prefix of `signature`.
    static func truncations(of signature: [UInt8]) -> [(String, [UInt8])] {
        (0..<signature.count).map { ("first \($0) bytes", Array(signature.prefix($0))) }
    }
}
