public import DocRelayCore
public import DocRelayDocuments
public import DocRelayKafka
import DocRelaySigning
import Foundation

/// What `docrelay dlq show` prints of one dead letter: where it is and why, every header
/// (signed, relay, other), the sender as the relay's checks see it now, the value's size and
/// digest (and what truncation kept), and a readable preview: the edXML header for edXML,
/// else the start of the text, else a hex dump.
public struct DeadLetterInspection: Sendable {
    /// What re-running the relay's checks says of the sender.
    public enum SenderCheck: Sendable {
        /// Every check passed: the sender is authentic.
        case verified(VerifiedDocument)
        /// The value was cut when it was dead-lettered: the signed headers alone verified, and
        /// the sender is authentic (`DocumentVerifier.authenticate`).
        case headersVerified(SenderAuthentication)
        /// A check failed, with its class and reason.
        case rejected(Rejection)
        /// Not checked, and why (e.g. no directory and trust anchors given).
        case notChecked(String)
    }

    public let entry: DeadLetterEntry
    public let sender: SenderCheck

    /// Checks `entry` with `verifier` (the hub's directory and trust store), or says why not.
    public init(_ entry: DeadLetterEntry, verifier: DocumentVerifier?, withoutVerifier: String) {
        self.entry = entry
        if let verifier {
            // Only the signed headers: relay headers are the relays' business, not the sender's.
            let signed = entry.letter.originalHeaders
                .filter { HeaderName.signed.contains($0.name) }
                .map { (name: $0.name, value: $0.value) }
            if entry.letter.isTruncated || entry.letter.isSegmented {
                // The value checks cannot run on what is left of it (or on a large document's
                // headers alone): the headers can.
                switch verifier.authenticate(headers: signed) {
                case .success(let authentication): sender = .headersVerified(authentication)
                case .failure(let rejection): sender = .rejected(rejection)
                }
            } else {
                switch verifier.verify(headers: signed, value: entry.letter.value) {
                case .success(let document): sender = .verified(document)
                case .failure(let rejection): sender = .rejected(rejection)
                }
            }
        } else {
            sender = .notChecked(withoutVerifier)
        }
    }

    /// The report, one line per element.
    public var lines: [String] {
        let letter = entry.letter
        var lines = ["dead letter \(letter.location)  (document \(letter.id))"]
        lines.append("  class          \(letter.errorClass)")
        let reasonLines = letter.reason.split(whereSeparator: \.isNewline)
        lines.append("  reason         \(reasonLines.first.map(String.init) ?? "(none given)")")
        lines += reasonLines.dropFirst().map { "                 \($0)" }
        lines.append("  dead-lettered  \(EventTime.text(entry.time))")
        if let summary = DeadLetterSummary(entry).origin { lines.append("  read from      \(summary)") }
        if let pending = letter.pendingTo { lines.append("  pending to     \(pending.joined(separator: ","))") }
        if entry.replays.isEmpty {
            lines.append("  replayed       never")
        } else {
            for replay in entry.replays {
                lines.append("  replayed       \(replay.at) by \(replay.hub)/\(replay.instance)" + (replay.target.map { " into \($0)" } ?? ""))
            }
        }
        if let refusal = letter.replayRefusal { lines.append("  replay         cannot be replayed: \(refusal)") }
        lines += headerLines()
        lines += senderLines()
        lines += valueLines()
        lines += previewLines()
        return lines
    }

    // MARK: Parts

    func headerLines() -> [String] {
        let signedNames = Set(HeaderName.signed)
        let relayNames = Set(HeaderName.relay)
        let signed = HeaderName.signed.compactMap { name in entry.headers.first { $0.name == name } }
        let relay = entry.headers.filter { relayNames.contains($0.name) }
        let other = entry.headers.filter { !signedNames.contains($0.name) && !relayNames.contains($0.name) }
        let width = (entry.headers.map(\.name.count).max() ?? 0) + 2
        func line(_ header: KafkaHeader) -> String {
            "  " + header.name.padding(toLength: max(width, header.name.count + 1), withPad: " ", startingAt: 0)
                + Self.shown(header)
        }
        var lines = ["signed headers" + (signed.count < HeaderName.signed.count
            ? " (missing: \(HeaderName.signed.filter { name in !signed.contains { $0.name == name } }.joined(separator: ", ")))" : "")]
        lines += signed.map(line)
        lines.append("relay headers")
        lines += relay.isEmpty ? ["  (none)"] : relay.map(line)
        if !other.isEmpty {
            lines.append("other headers")
            lines += other.map(line)
        }
        return lines
    }

    func senderLines() -> [String] {
        switch sender {
        case .verified(let document):
            let from = document.envelope.signed.from
            let name = document.sender.map { " (\($0.name))" } ?? ""
            return [
                "sender",
                "  verified: \(from)\(name), signed by \(document.signer.subject) (SHA-256 \(document.signer.fingerprint))",
                "  every check of the relay passes now (the directory or the certificates may have changed since)",
            ]
        case .headersVerified(let authentication):
            let name = authentication.sender.map { " (\($0.name))" } ?? ""
            return [
                "sender",
                "  signed headers verified: \(authentication.signed.from)\(name), signed by \(authentication.signer.subject) "
                    + "(SHA-256 \(authentication.signer.fingerprint))",
                entry.letter.isSegmented
                    ? "  a document sent in segments: the hub kept its headers, not the document, whose digest cannot be checked here"
                    : "  the value was cut here: its digest and content cannot be checked",
            ]
        case .rejected(let rejection):
            let authentic = rejection.authenticSender.map { "the sender \($0.rawValue) is authentic" }
                ?? "the sender is not authenticated"
            return ["sender", "  not verified (\(rejection.errorClass)): \(rejection.reason)", "  \(authentic)"]
        case .notChecked(let why):
            return ["sender", "  not checked: \(why)"]
        }
    }

    func valueLines() -> [String] {
        let letter = entry.letter
        let digest = SHA256Hex.of(letter.value)
        let signedDigest = letter.originalHeaders.string(named: HeaderName.sha256)
        var lines = ["value"]
        if letter.isSegmented {
            lines.append("  not kept: a document sent in segments, \(letter.documentSize.map { "\($0) bytes" } ?? "its size unknown") (dr-size)")
        } else if letter.isTruncated {
            lines.append("  truncated here: \(letter.value.count) of \(letter.valueSize.map(String.init) ?? "?") bytes kept")
            if let original = letter.valueSHA256 {
                lines.append("  original SHA-256 \(original)" + Self.comparison(original, signedDigest))
            }
            lines.append("  kept bytes' SHA-256 \(digest)")
        } else {
            lines.append("  \(letter.value.count) bytes, SHA-256 \(digest)" + Self.comparison(digest, signedDigest))
        }
        return lines
    }

    func previewLines() -> [String] {
        let value = entry.letter.value
        let contentType = entry.letter.originalHeaders.string(named: HeaderName.contentType) ?? ""
        var lines: [String] = []
        if DocumentVerifier.isEdXML(contentType: contentType) {
            do {
                let header = try EdXMLReader.readHeader(value)
                lines.append("preview (edXML)")
                lines.append("  From        \(header.from ?? "-")")
                lines.append("  To          \(header.to.isEmpty ? "-" : header.to.joined(separator: ", "))")
                lines.append("  DocumentId  \(header.documentId ?? "-")")
                lines.append("  Code        \(header.code ?? "-")")
                lines.append("  Subject     \(header.subject ?? "-")")
                lines.append("  Status      \(header.statusCode.map(\.description) ?? "- (a document, not a status)")")
                if let about = header.responseFor?.documentId { lines.append("  ResponseFor \(about)") }
                return lines
            } catch {
                lines.append("edXML preview unavailable: \(error.message)")
            }
        }
        if value.isEmpty { return lines + ["preview: (empty value)"] }
        if let text = Self.textPreview(value) {
            lines.append("preview (text, \(contentType.isEmpty ? "no content type" : contentType))")
            lines += text.map { "  | \($0)" }
        } else {
            lines.append("preview (hex, first \(min(value.count, 64)) of \(value.count) bytes)")
            lines += Self.hexDump(Array(value.prefix(64)))
        }
        return lines
    }

    // MARK: Helpers

    /// A header's value for display: its text (a signature shortened), or its size and hex.
    static func shown(_ header: KafkaHeader) -> String {
        guard let value = header.value else { return "(no value)" }
        guard let text = header.stringValue, !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
            return "(\(value.count) bytes, not text: \(value.prefix(24).map { String(format: "%02x", $0) }.joined())\(value.count > 24 ? "…" : ""))"
        }
        if text.isEmpty { return "(empty)" }
        if text.count > 96 { return String(text.prefix(64)) + "… (\(text.count) characters)" }
        return text
    }

    static func comparison(_ digest: String, _ signed: String?) -> String {
        guard let signed else { return " (no dr-sha256 to compare with)" }
        return digest == signed ? ", matches the signed dr-sha256" : ", differs from the signed dr-sha256 \(signed)"
    }

    /// Up to 12 lines of 100 characters when the value's start reads as text; nil otherwise.
    static func textPreview(_ value: [UInt8]) -> [String]? {
        var bytes = Array(value.prefix(1200))
        // A cut in the middle of a character is not a reason to call the value binary.
        var text = String(validating: bytes, as: UTF8.self)
        var trimmed = 0
        while text == nil, trimmed < 3, !bytes.isEmpty, bytes.count < value.count {
            bytes.removeLast()
            trimmed += 1
            text = String(validating: bytes, as: UTF8.self)
        }
        guard let text else { return nil }
        let allowed: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && !allowed.contains($0) || $0.value == 0x7f }) else {
            return nil
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if lines.count > 1, lines.last == "" { lines.removeLast() }  // the final line break
        let more = lines.count > 12 || bytes.count < value.count
        lines = Array(lines.prefix(12)).map { $0.count > 100 ? String($0.prefix(99)) + "…" : $0 }
        if more { lines.append("…") }
        return lines
    }

    static func hexDump(_ bytes: [UInt8]) -> [String] {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            let row = bytes[start..<min(start + 16, bytes.count)]
            let hex = row.map { String(format: "%02x", $0) }.joined(separator: " ")
            let ascii = String(row.map { (0x20..<0x7f).contains($0) ? Character(Unicode.Scalar($0)) : "." })
            return "  " + String(format: "%04x", start) + "  " + hex.padding(toLength: 47, withPad: " ", startingAt: 0) + "  " + ascii
        }
    }
}
