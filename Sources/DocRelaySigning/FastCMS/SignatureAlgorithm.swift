/// The signature algorithms the fast verifier checks itself, read from a SignerInfo's
/// `signatureAlgorithm` exactly; any other form is left to OpenSSL.
enum SignatureAlgorithm: Hashable, Sendable {
    /// RSASSA-PKCS1-v1_5 (`rsaEncryption` or `sha256WithRSAEncryption`, parameters absent or
    /// NULL), with the digest of `digestAlgorithm` (SHA-256).
    case rsaPKCS1v15
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, the given salt length and trailer field 1.
    case rsaPSS(saltLength: Int)
    /// `ecdsa-with-SHA256`, parameters absent.
    case ecdsaSHA256

    init?(_ element: DERElement, in reader: DERReader) {
        guard let parts = reader.children(of: element, tag: DEROctet.sequence), let oid = parts.first else {
            return nil
        }
        let parameters = parts.dropFirst()
        if reader.encoding(of: oid, is: DEROID.rsaEncryption) || reader.encoding(of: oid, is: DEROID.sha256WithRSA) {
            guard parameters.isEmpty || Self.isNull(parameters, reader) else { return nil }
            self = .rsaPKCS1v15
        } else if reader.encoding(of: oid, is: DEROID.ecdsaWithSHA256) {
            guard parameters.isEmpty else { return nil }
            self = .ecdsaSHA256
        } else if reader.encoding(of: oid, is: DEROID.rsassaPSS) {
            guard parameters.count == 1, let pss = parameters.first, let salt = Self.pssSaltLength(pss, reader) else {
                return nil
            }
            self = .rsaPSS(saltLength: salt)
        } else {
            return nil
        }
    }

    /// Whether `element` is an AlgorithmIdentifier of SHA-256 (parameters absent or NULL).
    static func isSHA256(_ element: DERElement, in reader: DERReader) -> Bool {
        guard let parts = reader.children(of: element, tag: DEROctet.sequence), let oid = parts.first,
              reader.encoding(of: oid, is: DEROID.sha256)
        else { return false }
        let parameters = parts.dropFirst()
        return parameters.isEmpty || isNull(parameters, reader)
    }

    /// Whether RSASSA-PSS `element` (the whole AlgorithmIdentifier, DER) names SHA-256 as its
    /// hash and MGF1 with SHA-256 as its mask, both explicitly (absent means SHA-1, RFC 4055).
    static func pssHashesAreSHA256(_ element: DERElement, in reader: DERReader) -> Bool {
        guard let parts = reader.children(of: element, tag: DEROctet.sequence), parts.count == 2,
              reader.encoding(of: parts[0], is: DEROID.rsassaPSS),
              let fields = reader.children(of: parts[1], tag: DEROctet.sequence)
        else { return false }
        var hash = false
        var mask = false
        for field in fields {
            guard let inner = reader.children(of: field, tag: field.tag), inner.count == 1 else { return false }
            switch field.tag {
            case DEROctet.context0:
                hash = isSHA256(inner[0], in: reader)
            case DEROctet.context1:
                guard let mgf = reader.children(of: inner[0], tag: DEROctet.sequence), mgf.count == 2 else { return false }
                mask = reader.encoding(of: mgf[0], is: DEROID.mgf1) && isSHA256(mgf[1], in: reader)
            default:
                continue
            }
        }
        return hash && mask
    }

    private static func isNull(_ parameters: ArraySlice<DERElement>, _ reader: DERReader) -> Bool {
        guard parameters.count == 1, let only = parameters.first else { return false }
        return reader.encoding(of: only, is: [DEROctet.null, 0x00])
    }

    /// The salt length of RSASSA-PSS-params (RFC 4055) whose hash is SHA-256 and mask MGF1 with
    /// SHA-256, both explicit; `nil` for anything else (defaults of SHA-1, other trailers).
    private static func pssSaltLength(_ element: DERElement, _ reader: DERReader) -> Int? {
        guard let fields = reader.children(of: element, tag: DEROctet.sequence) else { return nil }
        var hashIsSHA256 = false
        var maskIsMGF1SHA256 = false
        var salt = 20
        var lastTag: UInt8 = 0
        for field in fields {
            guard field.tag > lastTag, let inner = reader.children(of: field, tag: field.tag), inner.count == 1 else {
                return nil
            }
            lastTag = field.tag
            let value = inner[0]
            switch field.tag {
            case DEROctet.context0:
                hashIsSHA256 = isSHA256(value, in: reader)
            case DEROctet.context1:
                guard let mask = reader.children(of: value, tag: DEROctet.sequence), mask.count == 2,
                      reader.encoding(of: mask[0], is: DEROID.mgf1), isSHA256(mask[1], in: reader)
                else { return nil }
                maskIsMGF1SHA256 = true
            case DEROctet.context2:
                guard let length = reader.smallInteger(value), length <= 4096 else { return nil }
                salt = length
            case DEROctet.context3:
                guard reader.smallInteger(value) == 1 else { return nil }
            default:
                return nil
            }
        }
        return hashIsSHA256 && maskIsMGF1SHA256 ? salt : nil
    }
}
