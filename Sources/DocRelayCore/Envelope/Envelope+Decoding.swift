extension Envelope {
    /// Reads a record's headers strictly, refusing anything the contract does not allow:
    ///
    /// - every signed header exactly once, with a value in UTF-8 and no control characters (a
    ///   line break would change the signature base's lines); `dr-hop` may repeat, the other relay
    ///   headers appear at most once; headers DocRelay does not know are ignored;
    /// - `dr-kind` one of `edoc`, `status`, `ack`; `dr-from` an agency code (`hub:<id>` for an ack);
    ///   `dr-to` codes separated by commas, without spaces, none twice, at least one;
    ///   `dr-created` RFC 3339 UTC ending in `Z`; `dr-content-type` `type/subtype`; `dr-ref` empty
    ///   for an edoc and given for a status or ack; `dr-sha256` 64 lowercase hex; `dr-signature`
    ///   strict standard base64; relay numbers and times well formed;
    /// - sizes within `limits` (a larger value, id, recipient list or header is `oversize`):
    ///   every header's value, unknown ones included, within `maxHeaderValueBytes` (the
    ///   signature within its own bound), and all names and values together within
    ///   `maxHeaderBytes`, checked before any header is read, so that no header costs more
    ///   than the budget to read or to copy into a dead letter.
    ///
    /// Codes are checked for syntax only: whether they are known is the directory's decision.
    /// A `dr-ref` without a value reads as empty; any other header without a value is malformed.
    public static func decode(
        headers: [(name: String, value: [UInt8]?)], valueLength: Int, limits: EnvelopeLimits = .init()
    ) throws(EnvelopeError) -> Envelope {
        guard valueLength <= limits.maxValueBytes else {
            throw .oversize(nil, "expected a value of at most \(limits.maxValueBytes) bytes, not \(valueLength)")
        }
        try checkHeaderSizes(headers, limits: limits)
        var reader = HeaderReader(limits: limits)
        for header in headers { try reader.collect(name: header.name, value: header.value) }
        return Envelope(signed: try reader.signedHeaders(), relay: try reader.relayHeaders())
    }

    /// The headers of a record refused before its value is read, read again for what its
    /// sender signed, so that the signature can still be checked and an authentic sender told
    /// of the refusal.
    ///
    /// The value is not counted, nor the recipients against `maxRecipients`, nor all headers
    /// against `maxHeaderBytes`; headers DocRelay does not know are left out, and so are relay
    /// headers over their own bound, or all of them when they do not read. Every other rule of
    /// `decode` holds for the signed headers: each within its bound (`maxValueBytes(ofHeader:)`,
    /// so what a signature check costs stays bounded), an id or a ref within `maxIdBytes` (an
    /// ack could not name a longer one within the contract). Throws what they break.
    public static func decodeSigned(
        headers: [(name: String, value: [UInt8]?)], limits: EnvelopeLimits = .init()
    ) throws(EnvelopeError) -> Envelope {
        var relaxed = limits
        relaxed.maxRecipients = .max
        relaxed.maxHeaderBytes = .max
        let known = headers.filter {
            HeaderName.signed.contains($0.name)
                || HeaderName.relay.contains($0.name) && ($0.value?.count ?? 0) <= limits.maxValueBytes(ofHeader: $0.name)
        }
        if let envelope = try? decode(headers: known, valueLength: 0, limits: relaxed) { return envelope }
        let signed = known.filter { HeaderName.signed.contains($0.name) }
        return try decode(headers: signed, valueLength: 0, limits: relaxed)
    }
}

extension Envelope {
    /// Every header within its own bound, then all together within `maxHeaderBytes`; the
    /// reason names the header (or the largest ones) and the sizes in bytes.
    static func checkHeaderSizes(
        _ headers: [(name: String, value: [UInt8]?)], limits: EnvelopeLimits
    ) throws(EnvelopeError) {
        var total = 0
        for header in headers {
            let size = header.value?.count ?? 0
            let limit = limits.maxValueBytes(ofHeader: header.name)
            guard size <= limit else {
                throw .oversize(shownName(header.name), "expected a value of at most \(limit) bytes, not \(size)")
            }
            total += header.name.utf8.count + size
        }
        guard total <= limits.maxHeaderBytes else {
            let largest = headers.sorted { ($0.value?.count ?? 0) > ($1.value?.count ?? 0) }.prefix(3)
                .map { "\(shownName($0.name)) \($0.value?.count ?? 0) B" }.joined(separator: ", ")
            throw .oversize(nil, "expected headers of at most \(limits.maxHeaderBytes) bytes in all, not \(total) (\(headers.count) headers; largest \(largest))")
        }
    }

    /// A header's name as an error shows it: as it is when short printable ASCII, else quoted
    /// and cut (a hostile name must not flood a log line or a dead letter's reason).
    public static func shownName(_ name: String) -> String {
        let plain = name.utf8.count <= 64 && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "'") }
        return plain ? name : quoted(name, limit: 64)
    }
}

/// Collects a record's headers by name, then reads each with its own rules.
private struct HeaderReader {
    let limits: EnvelopeLimits
    private var signed: [String: [UInt8]] = [:]
    private var relay: [String: [UInt8]] = [:]
    private var hops: [[UInt8]] = []

    init(limits: EnvelopeLimits) { self.limits = limits }

    mutating func collect(name: String, value: [UInt8]?) throws(EnvelopeError) {
        let isSigned = HeaderName.signed.contains(name)
        guard isSigned || HeaderName.relay.contains(name) else { return }
        let limit = limits.maxValueBytes(ofHeader: name)
        if let value, value.count > limit {
            throw .oversize(name, "expected a value of at most \(limit) bytes, not \(value.count)")
        }
        if name == HeaderName.hop {
            guard let value else { throw .malformed(name, "expected a value, not a header without one") }
            hops.append(value)
        } else if isSigned {
            guard signed[name] == nil else {
                throw .malformed(name, "expected every signed header exactly once, not twice")
            }
            guard let value = value ?? (name == HeaderName.ref ? [] : nil) else {
                throw .malformed(name, "expected a value, not a header without one")
            }
            signed[name] = value
        } else {
            guard relay[name] == nil else { throw .malformed(name, "expected this header at most once, not twice") }
            guard let value else { throw .malformed(name, "expected a value, not a header without one") }
            relay[name] = value
        }
    }

    // MARK: Signed headers

    func signedHeaders() throws(EnvelopeError) -> SignedHeaders {
        for name in HeaderName.signed where signed[name] == nil {
            throw .malformed(name, "expected every signed header exactly once, not none")
        }
        let id = try line(HeaderName.id)
        guard !id.isEmpty else { throw .malformed(HeaderName.id, "expected a document id, not an empty value") }
        guard id.utf8.count <= limits.maxIdBytes else {
            throw .oversize(HeaderName.id, "expected at most \(limits.maxIdBytes) bytes, not \(id.utf8.count)")
        }

        let kindText = try line(HeaderName.kind)
        guard let kind = DocumentKind(rawValue: kindText) else {
            throw .malformed(HeaderName.kind, "expected edoc, status or ack, not \(quoted(kindText))")
        }

        let from = try line(HeaderName.from)
        if kind == .ack {
            guard from.hasPrefix(SignedHeaders.hubPrefix),
                  Directory.isHubID(String(from.dropFirst(SignedHeaders.hubPrefix.count)))
            else {
                throw .malformed(HeaderName.from, "expected hub:<hub-id> for an ack, such as hub:national, not \(quoted(from))")
            }
        } else {
            do {
                _ = try AgencyCode(parsing: from)
            } catch {
                throw .malformed(HeaderName.from, "expected the sender's agency code: \(error.description)")
            }
        }

        let to = try recipients()
        let created = try line(HeaderName.created)
        guard let createdDate = RFC3339.parse(created) else {
            throw .malformed(HeaderName.created,
                             "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not \(quoted(created))")
        }

        let contentType = try line(HeaderName.contentType)
        guard Self.isMIMEType(contentType) else {
            throw .malformed(HeaderName.contentType,
                             "expected a MIME type type/subtype such as application/edxml+xml, not \(quoted(contentType))")
        }

        let ref = try line(HeaderName.ref)
        if kind == .edoc {
            guard ref.isEmpty else {
                throw .malformed(HeaderName.ref, "expected an empty value for an edoc, not \(quoted(ref))")
            }
        } else {
            guard !ref.isEmpty else {
                throw .malformed(HeaderName.ref, "expected the id of the document a \(kind.rawValue) is about, not an empty value")
            }
            guard ref.utf8.count <= limits.maxIdBytes else {
                throw .oversize(HeaderName.ref, "expected at most \(limits.maxIdBytes) bytes, not \(ref.utf8.count)")
            }
        }

        let sha256 = try line(HeaderName.sha256)
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ $0.isHexDigit && !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }) else {
            throw .malformed(HeaderName.sha256, "expected 64 lowercase hexadecimal digits, not \(quoted(sha256))")
        }

        let signature = try line(HeaderName.signature)
        guard !signature.isEmpty, let signatureBytes = Base64.decode(signature.utf8) else {
            throw .malformed(HeaderName.signature, "expected standard base64 with padding, not \(quoted(signature))")
        }
        guard signatureBytes.count <= limits.maxSignatureBytes else {
            throw .oversize(HeaderName.signature,
                            "expected a signature of at most \(limits.maxSignatureBytes) bytes, not \(signatureBytes.count)")
        }
        return SignedHeaders(id: id, kind: kind, from: from, to: to, created: created, createdDate: createdDate,
                             contentType: contentType, ref: ref, sha256: sha256, signature: signature)
    }

    private func recipients() throws(EnvelopeError) -> [String] {
        let text = try line(HeaderName.to)
        let expected = "expected recipient codes separated by commas without spaces"
        guard !text.isEmpty else { throw .malformed(HeaderName.to, "\(expected), not an empty value") }
        let codes = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard codes.count <= limits.maxRecipients else {
            throw .oversize(HeaderName.to, "expected at most \(limits.maxRecipients) recipients, not \(codes.count)")
        }
        guard !codes.contains(where: { $0.isEmpty || $0.unicodeScalars.contains(where: \.properties.isWhitespace) }) else {
            throw .malformed(HeaderName.to, "\(expected), not \(quoted(text))")
        }
        var seen: Set<String> = []
        for code in codes {
            do {
                _ = try AgencyCode(parsing: code)
            } catch {
                throw .malformed(HeaderName.to, "\(expected); \(quoted(code)) is not one: \(error.description)")
            }
            guard seen.insert(code).inserted else {
                throw .malformed(HeaderName.to, "each recipient once, not \(quoted(code)) twice")
            }
        }
        return codes
    }

    /// A signed header's value as one line of UTF-8 text.
    private func line(_ name: String) throws(EnvelopeError) -> String {
        let text = try Self.text(signed[name] ?? [], name: name)
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .malformed(name, "expected text without control characters or line breaks, not \(quoted(text))")
        }
        return text
    }

    private static func text(_ bytes: [UInt8], name: String) throws(EnvelopeError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(name, "expected UTF-8 text, not \(quoted(bytes))")
        }
        return text
    }

    /// `type/subtype`, each an RFC 6838 restricted name: a letter or digit, then up to 126 of
    /// letters, digits and `! # $ & - ^ _ . +`.
    static func isMIMEType(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, (1...127).contains(part.count), isAlphanumeric(first) else { return false }
            return part.allSatisfy { isAlphanumeric($0) || Array("!#$&-^_.+".utf8).contains($0) }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    // MARK: Relay headers

    func relayHeaders() throws(EnvelopeError) -> RelayHeaders {
        var headers = RelayHeaders()
        headers.hops = try hops.map { bytes throws(EnvelopeError) in
            let hop = try Self.text(bytes, name: HeaderName.hop)
            guard !hop.isEmpty, !hop.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw .malformed(HeaderName.hop, "expected <hub-id>/<instance>/<RFC 3339 time>, not \(quoted(hop))")
            }
            return hop
        }
        headers.attempt = try number(HeaderName.attempt, as: Int.self)
        headers.notBefore = try time(HeaderName.notBefore)
        if let errorClass = try relayText(HeaderName.errorClass) {
            guard !errorClass.isEmpty, errorClass.utf8.count <= 32,
                  errorClass.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "-") })
            else {
                throw .malformed(HeaderName.errorClass, "expected a class such as signature or malformed, not \(quoted(errorClass))")
            }
            headers.errorClass = errorClass
        }
        headers.error = try relayText(HeaderName.error)
        if let topic = try relayText(HeaderName.originTopic) {
            guard Directory.isTopicName(topic) else {
                throw .malformed(HeaderName.originTopic, "expected a Kafka topic name, not \(quoted(topic))")
            }
            headers.originTopic = topic
        }
        headers.originPartition = try number(HeaderName.originPartition, as: Int32.self)
        headers.originOffset = try number(HeaderName.originOffset, as: Int64.self)
        headers.deadLetteredAt = try time(HeaderName.deadLetteredAt)
        headers.replayed = try relayText(HeaderName.replayed)
        if let pending = try relayText(HeaderName.pendingTo) {
            let codes = pending.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !codes.isEmpty, codes.allSatisfy({ (try? AgencyCode(parsing: $0)) != nil }) else {
                throw .malformed(HeaderName.pendingTo, "expected agency codes separated by commas, not \(quoted(pending))")
            }
            headers.pendingTo = codes
        }
        if let digest = try relayText(HeaderName.valueSHA256) {
            guard digest.utf8.count == 64, digest.utf8.allSatisfy({ $0.isHexDigit }) else {
                throw .malformed(HeaderName.valueSHA256, "expected 64 hexadecimal digits, not \(quoted(digest))")
            }
            headers.valueSHA256 = digest
        }
        headers.valueSize = try number(HeaderName.valueSize, as: Int.self)
        headers.acceptance = try HubAcceptance.decode(
            accepted: try relayText(HeaderName.accepted), signature: try relayText(HeaderName.acceptedSignature),
            maxSignatureBytes: limits.maxSignatureBytes)
        headers.segment = try DocumentSegment.read(
            segment: try relayText(HeaderName.segment), size: try relayText(HeaderName.size),
            maxDocumentBytes: limits.maxDocumentBytes)
        return headers
    }

    private func relayText(_ name: String) throws(EnvelopeError) -> String? {
        guard let bytes = relay[name] else { return nil }
        return try Self.text(bytes, name: name)
    }

    /// A non-negative decimal number, digits only.
    private func number<Number: FixedWidthInteger>(_ name: String, as type: Number.Type) throws(EnvelopeError) -> Number? {
        guard let text = try relayText(name) else { return nil }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Number(text, radix: 10)
        else {
            throw .malformed(name, "expected a decimal number from 0 to \(Number.max), not \(quoted(text))")
        }
        return value
    }

    private func time(_ name: String) throws(EnvelopeError) -> String? {
        guard let text = try relayText(name) else { return nil }
        guard RFC3339.parse(text) != nil else {
            throw .malformed(name, "expected an RFC 3339 UTC time such as 2026-11-29T01:02:03Z, not \(quoted(text))")
        }
        return text
    }
}
