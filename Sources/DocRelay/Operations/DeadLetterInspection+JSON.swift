import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import DocRelayKafka
import Foundation

extension DeadLetterInspection {
    /// What `dlq show --json` prints of one dead letter, a JSON object on one line: the fields of
    /// `dlq list --json` (``DeadLetterSummary``), then `headers` (every header, name and value as
    /// text; a binary value as `base64`), `sender` (`status`: `verified`, `headers-verified`,
    /// `rejected` or `not-checked`, with `from`, `signer`, `class`, `reason` as they apply) and
    /// `value` (`bytes`, `sha256`, `matches-signed-sha256`).
    public func json() -> String {
        var object = (try? JSONSerialization.jsonObject(with: Data(DeadLetterSummary(entry).json().utf8)) as? [String: Any]) ?? [:]
        object["headers"] = entry.headers.map { header -> [String: Any] in
            guard let value = header.value else { return ["name": header.name] }
            if let text = header.stringValue { return ["name": header.name, "value": text] }
            return ["name": header.name, "base64": Data(value).base64EncodedString()]
        }
        object["sender"] = senderObject
        let letter = entry.letter
        let digest = SHA256Hex.of(letter.value)
        var value: [String: Any] = ["bytes": letter.value.count, "sha256": digest]
        if let signed = letter.originalHeaders.string(named: HeaderName.sha256) {
            value["matches-signed-sha256"] = (letter.isTruncated ? letter.valueSHA256 : digest) == signed
        }
        if letter.isTruncated, let size = letter.valueSize { value["original-bytes"] = size }
        object["value"] = value
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    var senderObject: [String: Any] {
        switch sender {
        case .verified(let document):
            return ["status": "verified", "from": document.envelope.signed.from,
                    "signer": document.signer.subject, "signer-sha256": document.signer.fingerprint]
        case .headersVerified(let authentication):
            return ["status": "headers-verified", "from": authentication.signed.from,
                    "signer": authentication.signer.subject, "signer-sha256": authentication.signer.fingerprint]
        case .rejected(let rejection):
            var object: [String: Any] = ["status": "rejected", "class": "\(rejection.errorClass)", "reason": rejection.reason]
            if let authentic = rejection.authenticSender { object["authentic-sender"] = authentic.rawValue }
            return object
        case .notChecked(let why):
            return ["status": "not-checked", "reason": why]
        }
    }
}
