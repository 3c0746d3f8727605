/// The one shape of CMS signature the fast verifier reads itself, walked in strict DER: a
/// ContentInfo holding a SignedData with
/// - SHA-256 as the only digest algorithm, detached `id-data` content,
/// - certificates (plain X.509 only, 1 to 16), no CRLs,
/// - exactly one SignerInfo: signer identified by issuer and serial (v1) or subject key
///   identifier (v3), SHA-256, signed attributes present and only the four `openssl cms -sign`
///   adds (contentType = id-data, messageDigest of 32 bytes, signingTime, smimeCapabilities),
///   each once with one value, in DER order; a signature algorithm of `SignatureAlgorithm`; no
///   unsigned attributes.
///
/// Anything else — BER or indefinite lengths, several signers, other attributes, other
/// algorithms, trailing bytes — gives `nil`, and OpenSSL decides.
struct DetachedSignedData {
    /// The `certificates` field as encoded (with its `[0]` header).
    let certificatesField: ArraySlice<UInt8>
    /// The SignerIdentifier as encoded.
    let signerIdentifier: ArraySlice<UInt8>
    /// The signed attributes as encoded, with their `[0]` IMPLICIT header.
    let signedAttributes: ArraySlice<UInt8>
    /// The value of the messageDigest attribute (32 bytes).
    let messageDigest: ArraySlice<UInt8>
    let signatureAlgorithm: SignatureAlgorithm
    let signature: ArraySlice<UInt8>

    static let maximumCertificates = 16

    init?(der bytes: [UInt8]) {
        let reader = DERReader(bytes)
        guard let root = reader.root,
              let contentInfo = reader.children(of: root, tag: DEROctet.sequence), contentInfo.count == 2,
              reader.encoding(of: contentInfo[0], is: DEROID.signedData),
              let explicit = reader.children(of: contentInfo[1], tag: DEROctet.context0), explicit.count == 1,
              let signedData = reader.children(of: explicit[0], tag: DEROctet.sequence), signedData.count == 5,
              let version = reader.smallInteger(signedData[0]), version == 1 || version == 3,
              let digestAlgorithms = reader.children(of: signedData[1], tag: DEROctet.set), digestAlgorithms.count == 1,
              SignatureAlgorithm.isSHA256(digestAlgorithms[0], in: reader),
              let encapsulated = reader.children(of: signedData[2], tag: DEROctet.sequence), encapsulated.count == 1,
              reader.encoding(of: encapsulated[0], is: DEROID.data),
              let certificates = reader.children(of: signedData[3], tag: DEROctet.context0),
              (1...Self.maximumCertificates).contains(certificates.count),
              certificates.allSatisfy({ $0.tag == DEROctet.sequence }),
              let signerInfos = reader.children(of: signedData[4], tag: DEROctet.set), signerInfos.count == 1,
              let signerInfo = reader.children(of: signerInfos[0], tag: DEROctet.sequence), signerInfo.count == 6
        else { return nil }

        // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature.
        switch (reader.smallInteger(signerInfo[0]), signerInfo[1].tag) {
        case (1, DEROctet.sequence), (3, DEROctet.contextPrimitive0):
            break
        default:
            return nil
        }
        guard SignatureAlgorithm.isSHA256(signerInfo[2], in: reader),
              let attributes = reader.children(of: signerInfo[3], tag: DEROctet.context0),
              let messageDigest = Self.checkedMessageDigest(attributes, reader),
              let algorithm = SignatureAlgorithm(signerInfo[4], in: reader),
              let signature = reader.primitive(signerInfo[5], tag: DEROctet.octetString)
        else { return nil }

        certificatesField = reader.encoded(signedData[3])
        signerIdentifier = reader.encoded(signerInfo[1])
        signedAttributes = reader.encoded(signerInfo[3])
        self.messageDigest = messageDigest
        signatureAlgorithm = algorithm
        self.signature = signature
    }

    /// The bytes the signature is over: the signed attributes re-tagged as a SET OF (RFC 5652
    /// §5.4). Identical to OpenSSL's re-encoding because the attributes were checked to be DER
    /// in DER order, with values OpenSSL keeps byte for byte.
    var signedBytes: [UInt8] {
        var bytes = Array(signedAttributes)
        bytes[0] = DEROctet.set
        return bytes
    }

    private enum Attribute: CaseIterable {
        case contentType, messageDigest, signingTime, smimeCapabilities

        init?(_ oid: DERElement, _ reader: DERReader) {
            let encodings = [DEROID.contentType, DEROID.messageDigest, DEROID.signingTime, DEROID.smimeCapabilities]
            guard let index = encodings.firstIndex(where: { reader.encoding(of: oid, is: $0) }) else { return nil }
            self = Self.allCases[index]
        }
    }

    /// The messageDigest value when the signed attributes are exactly the handled ones (see the
    /// type's documentation), else `nil`.
    private static func checkedMessageDigest(_ attributes: [DERElement], _ reader: DERReader) -> ArraySlice<UInt8>? {
        var seen: [Attribute] = []
        var digest: ArraySlice<UInt8>?
        var contentTypeIsData = false
        var previous: ArraySlice<UInt8>?
        for attribute in attributes {
            // DER order of a SET OF: ascending encodings, as OpenSSL re-sorts them.
            let encoding = reader.encoded(attribute)
            if let previous, !Self.precedes(previous, encoding) { return nil }
            previous = encoding
            guard let parts = reader.children(of: attribute, tag: DEROctet.sequence), parts.count == 2,
                  let type = Attribute(parts[0], reader), !seen.contains(type),
                  let values = reader.children(of: parts[1], tag: DEROctet.set), values.count == 1
            else { return nil }
            seen.append(type)
            let value = values[0]
            switch type {
            case .contentType:
                guard reader.encoding(of: value, is: DEROID.data) else { return nil }
                contentTypeIsData = true
            case .messageDigest:
                guard let bytes = reader.primitive(value, tag: DEROctet.octetString), bytes.count == 32 else {
                    return nil
                }
                digest = bytes
            case .signingTime:
                guard Self.isStrictTime(value, reader) else { return nil }
            case .smimeCapabilities:
                guard value.tag == DEROctet.sequence else { return nil }
            }
        }
        return contentTypeIsData ? digest : nil
    }

    /// `YYMMDDHHMMSSZ` as UTCTime or `YYYYMMDDHHMMSSZ` as GeneralizedTime.
    private static func isStrictTime(_ element: DERElement, _ reader: DERReader) -> Bool {
        let length: Int
        let text: ArraySlice<UInt8>
        if let utc = reader.primitive(element, tag: DEROctet.utcTime) {
            (length, text) = (13, utc)
        } else if let generalized = reader.primitive(element, tag: DEROctet.generalizedTime) {
            (length, text) = (15, generalized)
        } else {
            return false
        }
        return text.count == length && text.last == 0x5A && text.dropLast().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Strictly ascending as OpenSSL sorts a SET OF: byte-wise, then shorter first.
    private static func precedes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            return x < y
        }
        return a.count < b.count
    }
}
