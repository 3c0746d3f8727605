/// A strict DER reader over a byte array that allocates nothing per element: single-octet
/// tags, definite lengths in their shortest form, every element exactly inside its parent.
/// Anything else (BER indefinite lengths, long-form tags, non-minimal lengths, truncation)
/// reads as `nil`.
///
/// The fast verifier uses it instead of swift-asn1's DER parser, which builds a node (two
/// reference-counted slices) for every element of the tree, certificate internals included:
/// about 28 µs for a contract signature, 40 % of the time budget of one verification. Here
/// only the elements the verifier looks at are read; the certificates stay opaque bytes
/// (OpenSSL decodes them once, when they first enter the cache).
struct DERElement {
    /// The identifier octet: class, constructed bit and tag number.
    let tag: UInt8
    /// Where the whole encoding (header and content) lies in the bytes.
    let encoded: Range<Int>
    /// Where the content lies.
    let content: Range<Int>

    var isConstructed: Bool { tag & 0x20 != 0 }
}

struct DERReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The element starting at `start`, or `nil` if it is not DER or overruns `end`.
    func element(at start: Int, end: Int) -> DERElement? {
        guard start >= 0, end <= bytes.count, start + 2 <= end else { return nil }
        let tag = bytes[start]
        guard tag & 0x1F != 0x1F, tag != 0x00 else { return nil }
        let first = bytes[start + 1]
        var length = 0
        var contentStart = start + 2
        if first & 0x80 != 0 {
            let count = Int(first & 0x7F)
            // 0x80 is BER's indefinite length; more than 4 length octets is absurd here.
            guard (1...4).contains(count), contentStart + count <= end else { return nil }
            for index in contentStart..<(contentStart + count) {
                length = length << 8 | Int(bytes[index])
            }
            // Shortest form: the long form only from 128, and no leading zero octet.
            guard length >= 0x80, bytes[contentStart] != 0 else { return nil }
            contentStart += count
        } else {
            length = Int(first)
        }
        guard length <= end - contentStart else { return nil }
        return DERElement(tag: tag, encoded: start..<(contentStart + length), content: contentStart..<(contentStart + length))
    }

    /// The single element filling all the bytes.
    var root: DERElement? {
        guard let element = element(at: 0, end: bytes.count), element.encoded.upperBound == bytes.count else {
            return nil
        }
        return element
    }

    /// The children of a constructed `element` with identifier octet `tag`, which must fill
    /// its content exactly; `nil` for any other element.
    func children(of element: DERElement, tag: UInt8) -> [DERElement]? {
        guard element.tag == tag, element.isConstructed else { return nil }
        var children: [DERElement] = []
        var position = element.content.lowerBound
        while position < element.content.upperBound {
            guard let child = self.element(at: position, end: element.content.upperBound) else { return nil }
            children.append(child)
            position = child.encoded.upperBound
        }
        return children
    }

    /// The content of a primitive `element` with identifier octet `tag`.
    func primitive(_ element: DERElement, tag: UInt8) -> ArraySlice<UInt8>? {
        guard element.tag == tag, !element.isConstructed else { return nil }
        return bytes[element.content]
    }

    /// Whether the whole encoding of `element` is `expected`.
    func encoding(of element: DERElement, is expected: [UInt8]) -> Bool {
        bytes[element.encoded].elementsEqual(expected)
    }

    func encoded(_ element: DERElement) -> ArraySlice<UInt8> {
        bytes[element.encoded]
    }

    /// A non-negative INTEGER below 2^31 in minimal form.
    func smallInteger(_ element: DERElement) -> Int? {
        guard let content = primitive(element, tag: DEROctet.integer), (1...4).contains(content.count),
              let first = content.first, first & 0x80 == 0
        else { return nil }
        if content.count > 1, first == 0, content[content.startIndex + 1] & 0x80 == 0 { return nil }
        return content.reduce(0) { $0 << 8 | Int($1) }
    }
}

/// Identifier octets used by the CMS shapes the fast verifier reads.
enum DEROctet {
    static let integer: UInt8 = 0x02
    static let octetString: UInt8 = 0x04
    static let null: UInt8 = 0x05
    static let objectIdentifier: UInt8 = 0x06
    static let utcTime: UInt8 = 0x17
    static let generalizedTime: UInt8 = 0x18
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let contextPrimitive0: UInt8 = 0x80
    static let context0: UInt8 = 0xA0
    static let context1: UInt8 = 0xA1
    static let context2: UInt8 = 0xA2
    static let context3: UInt8 = 0xA3
}

/// Object identifiers as their complete DER encodings (tag, length, content).
enum DEROID {
    /// 1.2.840.113549.1.7.1 id-data
    static let data: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
    /// 1.2.840.113549.1.7.2 id-signedData
    static let signedData: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
    /// 2.16.840.1.101.3.4.2.1 id-sha256
    static let sha256: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
    /// 1.2.840.113549.1.9.3 contentType
    static let contentType: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03]
    /// 1.2.840.113549.1.9.4 messageDigest
    static let messageDigest: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]
    /// 1.2.840.113549.1.9.5 signingTime
    static let signingTime: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]
    /// 1.2.840.113549.1.9.15 smimeCapabilities
    static let smimeCapabilities: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0F]
    /// 1.2.840.113549.1.1.1 rsaEncryption
    static let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    /// 1.2.840.113549.1.1.11 sha256WithRSAEncryption
    static let sha256WithRSA: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    static let rsassaPSS: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]
    /// 1.2.840.113549.1.1.8 id-mgf1
    static let mgf1: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08]
    /// 1.2.840.10045.4.3.2 ecdsa-with-SHA256
    static let ecdsaWithSHA256: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
    /// 2.5.29.37.0 anyExtendedKeyUsage
    static let anyExtendedKeyUsage: [UInt8] = [0x06, 0x04, 0x55, 0x1D, 0x25, 0x00]
    /// 1.3.6.1.5.5.7.3.1 id-kp-serverAuth
    static let serverAuth: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]
    /// 1.3.6.1.5.5.7.3.2 id-kp-clientAuth
    static let clientAuth: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02]
    /// 1.3.6.1.5.5.7.3.3 id-kp-codeSigning
    static let codeSigning: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03]
    /// 1.3.6.1.5.5.7.3.4 id-kp-emailProtection
    static let emailProtection: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04]
    /// 1.3.6.1.5.5.7.3.36 id-kp-documentSigning (RFC 9336)
    static let documentSigning: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24]
    /// 1.3.6.1.4.1.311.10.3.12 Microsoft document signing
    static let microsoftDocumentSigning: [UInt8] = [0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0A, 0x03, 0x0C]
}
